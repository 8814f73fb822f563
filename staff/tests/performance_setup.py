"""Builders for performance tests: shifts, breaks, visits with items, in a restaurant's local time."""

import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from floor.models import MenuCategory, Visit, VisitItem
from floor.tests.factories import SectionFactory, TableFactory
from staff.models import Shift, ShiftBreak, StaffMember, StaffRole


def local(restaurant, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(restaurant.timezone))


class Floor:
    """A section with tables for a restaurant; `visit` picks a table that has no open visit."""

    def __init__(self, restaurant, tables: int = 4):
        section = SectionFactory(restaurant=restaurant)
        self.restaurant = restaurant
        self.tables = [TableFactory(section=section, max_seats=10) for _ in range(tables)]
        self.count = 0

    def shift(self, staff, start: datetime, hours: float, *, unpaid_break_minutes=0, paid_break_minutes=0) -> Shift:
        shift = Shift.objects.create(
            restaurant=self.restaurant,
            staff=staff,
            role=staff.role,
            clock_in=start,
            clock_out=start + timedelta(hours=hours),
        )
        if unpaid_break_minutes:
            at = start + timedelta(hours=1)
            ShiftBreak.objects.create(shift=shift, started_at=at, ended_at=at + timedelta(minutes=unpaid_break_minutes))
        if paid_break_minutes:
            at = start + timedelta(hours=2)
            ShiftBreak.objects.create(
                shift=shift, started_at=at, ended_at=at + timedelta(minutes=paid_break_minutes), paid=True
            )
        return shift

    def visit(self, server, seated: datetime, *, party=2, minutes=None, subtotal="0", tip="0", discount="0", items=()):
        """items: (category, quantity, unit_price[, voided]) per check line. minutes None: still open."""
        self.count += 1
        visit = Visit.objects.create(
            restaurant=self.restaurant,
            table=self.tables[self.count % len(self.tables)] if minutes is not None else self.tables[0],
            server=server,
            party_size=party,
            seated_at=seated,
            closed_at=seated + timedelta(minutes=minutes) if minutes is not None else None,
            subtotal=Decimal(subtotal),
            tip=Decimal(tip),
            discount=Decimal(discount),
        )
        VisitItem.objects.bulk_create(
            VisitItem(
                visit=visit,
                name=f"{line[0]} {index}",
                category=line[0],
                quantity=line[1],
                unit_price=Decimal(str(line[2])),
                voided=len(line) > 3 and line[3],
                ordered_at=seated,
            )
            for index, line in enumerate(items)
        )
        return visit


def server(restaurant, name, role=StaffRole.SERVER, **fields) -> StaffMember:
    return StaffMember.objects.create(restaurant=restaurant, name=name, role=role, **fields)


def synthetic_team(restaurant, *, servers: int, days: int, end: datetime, seed: int = 1, floor: Floor | None = None):
    """`servers` servers with skills 0..1 working every other day for `days` days before `end`, bulk-created:
    skill raises sales per cover, tips and upsells. Returns {staff id: skill}."""
    rng = random.Random(seed)
    floor = floor or Floor(restaurant, tables=1)
    table = floor.tables[0]
    staff = StaffMember.objects.bulk_create(
        StaffMember(restaurant=restaurant, name=f"Synthetic {seed}-{i}", role=StaffRole.SERVER) for i in range(servers)
    )
    skills = {member.pk: i / max(servers - 1, 1) for i, member in enumerate(staff)}
    shifts, visits = [], []
    for member in staff:
        skill = skills[member.pk]
        for day in range(days):
            if (day + member.pk) % 2:
                continue
            start = end - timedelta(days=day + 1) + timedelta(hours=17)
            shifts.append(
                Shift(
                    restaurant=restaurant,
                    staff=member,
                    role=member.role,
                    clock_in=start,
                    clock_out=start + timedelta(hours=6),
                )
            )
            for n in range(5):
                party = rng.choice((2, 2, 4))
                seated = start + timedelta(minutes=30 + 60 * n)
                subtotal = party * (40 + 25 * skill + rng.gauss(0, 4))
                visits.append(
                    Visit(
                        restaurant=restaurant,
                        table=table,
                        server=member,
                        party_size=party,
                        seated_at=seated,
                        closed_at=seated + timedelta(minutes=rng.uniform(50, 80) * (1.05 - 0.1 * skill)),
                        subtotal=Decimal(f"{subtotal:.2f}"),
                        tip=Decimal(f"{subtotal * (0.15 + 0.05 * skill + rng.gauss(0, 0.01)):.2f}"),
                    )
                )
    Shift.objects.bulk_create(shifts, batch_size=2000)
    visits = Visit.objects.bulk_create(visits, batch_size=2000)
    items = []
    for visit in visits:
        skill = skills[visit.server_id]
        items.append(
            VisitItem(
                visit=visit,
                name="Main",
                category=MenuCategory.ENTREE,
                quantity=visit.party_size,
                unit_price=Decimal("25"),
            )
        )
        upsells = sum(rng.random() < 0.3 + 0.5 * skill for _ in range(visit.party_size))
        if upsells:
            items.append(
                VisitItem(
                    visit=visit, name="Wine", category=MenuCategory.ALCOHOL, quantity=upsells, unit_price=Decimal("11")
                )
            )
    VisitItem.objects.bulk_create(items, batch_size=4000)
    return skills
