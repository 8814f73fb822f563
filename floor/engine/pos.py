"""The POS events' data, as the contract for integrators fixes it (docs/pos-integration.md): each event
type's `data` object read into a dataclass, or `InvalidValue` naming the field (`data.<name>`).

Ids (checks, lines, menu items, staff) are strings or whole numbers, kept as strings. Amounts are decimal
strings such as "12.50": from 0, cents at most. Unknown fields are refused, so a typo is not silently
dropped. Plain Python: the floor's POS services, the simulator's event feed and tests share these."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from floor.engine.floor import InvalidValue, check_party_size

ID_MAX = 100
LABEL_MAX = 20
MAX_JOINED = 10
NAME_MAX = 120
MAX_QUANTITY = 999
MONEY_LIMIT = Decimal("100000000")  # the money columns: 10 digits, 2 after the point
PRICE_LIMIT = Decimal("1000000")  # a menu price or a line's unit price: 8 digits, 2 after the point
MENU_CATEGORIES = ("drink", "alcohol", "appetizer", "entree", "side", "dessert", "other")
STAFF_ROLES = ("server", "bartender", "host", "busser", "runner")
_AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?")


@dataclass(frozen=True)
class CheckOpened:
    check_id: str
    table_label: str
    server_id: str
    party_size: int
    joined_table_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckItemAdded:
    check_id: str
    line_id: str
    menu_item_id: str
    name: str
    category: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class CheckItemVoided:
    check_id: str
    line_id: str


@dataclass(frozen=True)
class CheckClosed:
    check_id: str
    subtotal: Decimal
    tax: Decimal
    tip: Decimal
    discounts: Decimal


@dataclass(frozen=True)
class TableCleared:
    table_label: str


@dataclass(frozen=True)
class StaffClock:
    staff_id: str
    role: str | None = None


@dataclass(frozen=True)
class MenuItemUpserted:
    menu_item_id: str
    name: str
    category: str
    price: Decimal
    active: bool


def _is_label(value: object) -> bool:
    return isinstance(value, str) and len(value.strip()) > 0 and len(value) <= LABEL_MAX


class _Fields:
    """Reads one `data` object field by field; refuses what the event type does not name."""

    def __init__(self, data: object, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        if not isinstance(data, dict):
            raise InvalidValue("data", "data must be a JSON object")
        unknown = sorted(set(data) - set(required) - set(optional))
        if unknown:
            raise InvalidValue(f"data.{unknown[0]}", f"data has no field {unknown[0]!r}")
        missing = [name for name in required if name not in data]
        if missing:
            raise InvalidValue(f"data.{missing[0]}", f"data.{missing[0]} is required")
        self.data = data

    def ident(self, name: str) -> str:
        value = self.data[name]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip() or len(value) > ID_MAX:
            raise InvalidValue(f"data.{name}", f"data.{name} must be a string or a whole number, 1 to {ID_MAX} long")
        return value.strip()

    def text(self, name: str, limit: int) -> str:
        value = self.data[name]
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise InvalidValue(f"data.{name}", f"data.{name} must be text of 1 to {limit} characters")
        return value.strip()

    def whole(self, name: str, low: int, high: int) -> int:
        value = self.data[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidValue(f"data.{name}", f"data.{name} must be a whole number from {low} to {high}")
        return value

    def amount(self, name: str, limit: Decimal = MONEY_LIMIT) -> Decimal:
        value = self.data[name]
        if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
            raise InvalidValue(f"data.{name}", f'data.{name} must be a decimal string such as "12.50"')
        amount = Decimal(value)  # the pattern admits decimals only
        if amount >= limit:
            raise InvalidValue(f"data.{name}", f"data.{name} must be under {limit}")
        return amount

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.data[name]
        if not isinstance(value, str) or value.lower() not in choices:
            raise InvalidValue(f"data.{name}", f"data.{name} must be one of {', '.join(choices)}")
        return value.lower()

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise InvalidValue(f"data.{name}", f"data.{name} must be true or false")
        return value


def parse_check_opened(data: object) -> CheckOpened:
    fields = _Fields(data, ("check_id", "table_label", "server_id", "party_size"), ("joined_table_labels",))
    joined = fields.data.get("joined_table_labels", [])
    if not isinstance(joined, list) or len(joined) > MAX_JOINED or not all(_is_label(label) for label in joined):
        raise InvalidValue(
            "data.joined_table_labels", f"data.joined_table_labels must be a list of up to {MAX_JOINED} table labels"
        )
    try:
        party_size = check_party_size(fields.data["party_size"])
    except InvalidValue as refused:
        raise InvalidValue("data.party_size", f"data.{refused.message}") from None
    return CheckOpened(
        check_id=fields.ident("check_id"),
        table_label=fields.text("table_label", LABEL_MAX),
        server_id=fields.ident("server_id"),
        party_size=party_size,
        joined_table_labels=tuple(label.strip() for label in joined),
    )


def parse_check_item_added(data: object) -> CheckItemAdded:
    fields = _Fields(data, ("check_id", "line_id", "menu_item_id", "name", "category", "quantity", "unit_price"))
    return CheckItemAdded(
        check_id=fields.ident("check_id"),
        line_id=fields.ident("line_id"),
        menu_item_id=fields.ident("menu_item_id"),
        name=fields.text("name", NAME_MAX),
        category=fields.choice("category", MENU_CATEGORIES),
        quantity=fields.whole("quantity", 1, MAX_QUANTITY),
        unit_price=fields.amount("unit_price", PRICE_LIMIT),
    )


def parse_check_item_voided(data: object) -> CheckItemVoided:
    fields = _Fields(data, ("check_id", "line_id"))
    return CheckItemVoided(check_id=fields.ident("check_id"), line_id=fields.ident("line_id"))


def parse_check_closed(data: object) -> CheckClosed:
    fields = _Fields(data, ("check_id", "subtotal", "tax", "tip", "discounts"))
    return CheckClosed(
        check_id=fields.ident("check_id"),
        subtotal=fields.amount("subtotal"),
        tax=fields.amount("tax"),
        tip=fields.amount("tip"),
        discounts=fields.amount("discounts"),
    )


def parse_table_cleared(data: object) -> TableCleared:
    return TableCleared(table_label=_Fields(data, ("table_label",)).text("table_label", LABEL_MAX))


def parse_staff_clock(data: object) -> StaffClock:
    fields = _Fields(data, ("staff_id",), ("role",))
    role = fields.choice("role", STAFF_ROLES) if "role" in fields.data else None
    return StaffClock(staff_id=fields.ident("staff_id"), role=role)


def parse_menu_item_upserted(data: object) -> MenuItemUpserted:
    fields = _Fields(data, ("menu_item_id", "name", "category", "price"), ("active",))
    return MenuItemUpserted(
        menu_item_id=fields.ident("menu_item_id"),
        name=fields.text("name", NAME_MAX),
        category=fields.choice("category", MENU_CATEGORIES),
        price=fields.amount("price", PRICE_LIMIT),
        active=fields.flag("active", True),
    )
