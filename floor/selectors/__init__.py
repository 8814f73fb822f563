"""Read queries about the floor, used by the API, the dashboard, the services and other apps. They turn
rows into the engine's inputs (`floor.engine`): one read model of the floor for the board, the routing
and the quotes.

- `floor`: `floor_snapshot`, the floor read once; the open queue; whose floor a user runs.
- `quotes`: the turn model's history and the live quotes of the waitlist.
- `board`: the host stand's board and the floor status.
- `accuracy`: how close our quotes were.
- `actions`: what the caller may do on the floor page."""

from floor.selectors.accuracy import AccuracyBucket, AccuracyPeriod, quote_accuracy
from floor.selectors.actions import FloorActions, floor_actions
from floor.selectors.board import (
    FloorBoard,
    FloorStatus,
    SectionRef,
    StaffRef,
    WaitingParty,
    WaitlistSummary,
    floor_board,
    floor_status,
    servers_in_rotation_order,
)
from floor.selectors.floor import floor_restaurants_for, floor_snapshot, open_queue
from floor.selectors.quotes import (
    NewPartyQuote,
    QuotedEntry,
    day_part,
    load_turn_model,
    quote_new_party,
    waitlist_open_with_quotes,
)

__all__ = [
    "AccuracyBucket",
    "AccuracyPeriod",
    "FloorActions",
    "FloorBoard",
    "FloorStatus",
    "NewPartyQuote",
    "QuotedEntry",
    "SectionRef",
    "StaffRef",
    "WaitingParty",
    "WaitlistSummary",
    "day_part",
    "floor_actions",
    "floor_board",
    "floor_restaurants_for",
    "floor_snapshot",
    "floor_status",
    "load_turn_model",
    "open_queue",
    "quote_accuracy",
    "quote_new_party",
    "servers_in_rotation_order",
    "waitlist_open_with_quotes",
]
