"""A simulated day as a POS would have sent it: the events of `POST /api/v1/pos/events`, in order.

Pure Python (no Django, no clock): the same services give the same events, ids included. For each
service: the menu (`menu.item_upserted`), clock-ins and clock-outs, and for each visit its check opened,
its items (a voided line is added, then voided a minute later), the party clearing the table for one
visit in four (`table.cleared`, as a host's Clear would), and the check closed with its totals. Staff are
named by their POS id (`staff_pos_id`), which the replay gives the loaded staff members.

    events = pos_feed(history.services)   # -> [PosEvent(event_id, type, at, data), ...] by time"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulator.service import ServiceResult

VOID_AFTER = timedelta(minutes=1)
MENU_BEFORE = timedelta(minutes=1)
CLEARED_EVERY = 4  # one visit in four is cleared by the host before its check closes


@dataclass(frozen=True)
class PosEvent:
    """One delivery: its id (`webhook-id`), type, when it happened and its `data` object."""

    event_id: str
    type: str
    at: datetime
    data: dict

    def body(self) -> dict:
        return {"type": self.type, "timestamp": self.at.isoformat(), "data": self.data}


def staff_pos_id(index: int) -> str:
    """The POS's id for the simulator's staff member `index`."""
    return f"EMP-{index + 1:03d}"


def pos_feed(services: Iterable[ServiceResult]) -> list[PosEvent]:
    """Every service's events, ordered by time (ties keep the order they were made in)."""
    made: list[tuple[datetime, int, PosEvent]] = []

    def add(event_id: str, event_type: str, at: datetime, data: dict) -> None:
        made.append((at, len(made), PosEvent(event_id, event_type, at, data)))

    for service in services:
        restaurant = service.plan.restaurant
        key = service.plan.key
        labels = [table.label for table in restaurant.tables]
        first = min([shift.clock_in for shift in service.shifts] + [visit.seated_at for visit in service.visits])
        for index, item in enumerate(restaurant.config.menu):
            add(
                f"{key}-menu-{index}",
                "menu.item_upserted",
                first - MENU_BEFORE,
                {
                    "menu_item_id": item.pos_item_id,
                    "name": item.name,
                    "category": item.category,
                    "price": str(item.price),
                },
            )
        for shift in service.shifts:
            who = staff_pos_id(shift.staff)
            add(f"{key}-in-{shift.index}", "staff.clock_in", shift.clock_in, {"staff_id": who, "role": shift.role})
            if shift.clock_out is not None:
                add(f"{key}-out-{shift.index}", "staff.clock_out", shift.clock_out, {"staff_id": who})
        for visit in service.visits:
            check = visit.pos_check_id
            opened = {
                "check_id": check,
                "table_label": labels[visit.table],
                "server_id": staff_pos_id(visit.server),
                "party_size": visit.party_size,
            }
            if visit.joined_tables:
                opened["joined_table_labels"] = [labels[table] for table in visit.joined_tables]
            add(f"{check}-open", "check.opened", visit.seated_at, opened)
            for number, item in enumerate(visit.items, start=1):
                line = f"{check}-{number}"
                added = {
                    "check_id": check,
                    "line_id": line,
                    "menu_item_id": restaurant.config.menu[item.menu_item].pos_item_id,
                    "name": item.name,
                    "category": item.category,
                    "quantity": item.quantity,
                    "unit_price": str(item.unit_price),
                }
                add(f"{line}-add", "check.item_added", item.ordered_at, added)
                if item.voided:
                    add(
                        f"{line}-void",
                        "check.item_voided",
                        item.ordered_at + VOID_AFTER,
                        {"check_id": check, "line_id": line},
                    )
            if visit.closed_at is None:
                continue
            if visit.index % CLEARED_EVERY == 0:
                add(f"{check}-cleared", "table.cleared", visit.closed_at, {"table_label": labels[visit.table]})
            totals = {
                "check_id": check,
                "subtotal": str(visit.subtotal),
                "tax": str(visit.tax),
                "tip": str(visit.tip),
                "discounts": str(visit.discount),
            }
            add(f"{check}-close", "check.closed", visit.closed_at, totals)
    return [event for _, _, event in sorted(made, key=lambda entry: (entry[0], entry[1]))]
