"""Admin for the floor: sections and tables (with their state history), the waitlist, visits and
their items, the menu and routing decisions. Hosts view all of it and keep the waitlist; managers
edit everything of their restaurants (restaurant/admin_scoping.py)."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html

from floor.exceptions import FloorError
from floor.models import (
    MenuItem,
    RoutingDecision,
    Section,
    StateSource,
    Table,
    TableState,
    TableStateChange,
    Visit,
    VisitItem,
    WaitlistEntry,
)
from floor.services.table_states import table_state_set
from restaurant.admin_scoping import IsOpenFilter, RecentRowsFormSet, TenantAdminMixin
from restaurant.models import FLOOR_ROLES
from restaurant.selectors import role_in


class FloorAdminMixin(TenantAdminMixin):
    """Floor models: hosts of the restaurant may look."""

    view_roles = FLOOR_ROLES


class TableInline(FloorAdminMixin, admin.TabularInline):
    """The tables of a section, laid out as on the floor map."""

    model = Table
    extra = 0
    restaurant_from = "section"
    fields = (
        "label",
        "min_seats",
        "max_seats",
        "is_booth",
        "is_patio",
        "is_high_top",
        "is_accessible",
        "shape",
        "x",
        "y",
        "width",
        "height",
        "rotation",
        "combinable_group",
        "active",
        "state",
    )
    readonly_fields = ("state",)


@admin.register(Section)
class SectionAdmin(FloorAdminMixin, admin.ModelAdmin):
    """A section with its tables."""

    # The count annotation groups rows, and Django drops Meta.ordering from grouped queries.
    ordering = Section._meta.ordering
    list_display = ("name", "restaurant", "swatch", "sort_order", "table_count", "active")
    list_filter = ("active", "restaurant")
    search_fields = ("name",)
    list_select_related = ("restaurant",)
    inlines = (TableInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_table_count=Count("tables"))

    @admin.display(description="tables", ordering="_table_count")
    def table_count(self, obj) -> int:
        return obj._table_count

    @admin.display(description="colour")
    def swatch(self, obj) -> str:
        return format_html(
            '<span style="display:inline-block;width:1.2em;height:1.2em;background:{};border-radius:3px" '
            'title="{}"></span>',
            obj.color,
            obj.color,
        )


class TableStateChangeInline(FloorAdminMixin, admin.TabularInline):
    """The latest state changes of a table, read-only."""

    model = TableStateChange
    formset = RecentRowsFormSet
    read_only = True
    extra = 0
    can_delete = False
    fields = ("at", "from_state", "to_state", "source", "confidence", "actor", "note")
    ordering = ("-at", "-id")
    verbose_name_plural = f"latest {RecentRowsFormSet.max_rows} state changes"


@admin.register(Table)
class TableAdmin(FloorAdminMixin, admin.ModelAdmin):
    """A table: seats, features, floor-map geometry; its state is shown, changed only by the floor services."""

    restaurant_from = "section"
    list_display = ("label", "section", "restaurant", "seats", "feature_list", "state", "state_changed_at", "active")
    list_filter = ("state", "active", "shape", "is_booth", "is_patio", "is_high_top", "is_accessible", "section")
    search_fields = ("label", "section__name", "combinable_group")
    list_select_related = ("section", "restaurant")
    autocomplete_fields = ("section",)
    readonly_fields = ("state", "state_changed_at")
    fieldsets = (
        (None, {"fields": ("restaurant", "section", "label", "min_seats", "max_seats", "combinable_group", "active")}),
        ("Features", {"fields": ("is_booth", "is_patio", "is_high_top", "is_accessible")}),
        ("Floor map", {"fields": ("shape", "x", "y", "width", "height", "rotation")}),
        ("State", {"fields": ("state", "state_changed_at")}),
    )
    inlines = (TableStateChangeInline,)
    actions = ("block", "make_available")

    @admin.action(description="Block selected tables", permissions=["change"])
    def block(self, request, queryset):
        self._set_state(request, queryset, TableState.BLOCKED)

    @admin.action(description="Mark selected tables available", permissions=["change"])
    def make_available(self, request, queryset):
        self._set_state(request, queryset, TableState.AVAILABLE)

    def _set_state(self, request, queryset, state: str) -> None:
        # Through the floor service, so history, visits and live updates stay right.
        changed = 0
        for table in queryset.select_related("restaurant"):
            before = table.state
            try:
                table_state_set(
                    restaurant=table.restaurant,
                    table=table,
                    to_state=state,
                    source=StateSource.HOST,
                    actor=request.user,
                    role=role_in(request.user, table.restaurant),
                )
            except FloorError as exc:
                self.message_user(request, f"{table.label}: {exc.message}", messages.ERROR)
                continue
            changed += table.state != before
        self.message_user(request, f"{changed} table(s) now {state}.", messages.SUCCESS)

    @admin.display(description="seats")
    def seats(self, obj) -> str:
        return f"{obj.min_seats}-{obj.max_seats}"

    @admin.display(description="features")
    def feature_list(self, obj) -> str:
        return ", ".join(obj.features)


@admin.register(TableStateChange)
class TableStateChangeAdmin(FloorAdminMixin, admin.ModelAdmin):
    """Table state history: a read-only record."""

    read_only = True
    list_display = ("table", "from_state", "to_state", "source", "confidence", "actor", "at")
    list_filter = ("to_state", "source", "restaurant")
    search_fields = ("table__label", "note")
    list_select_related = ("table", "actor", "restaurant")
    date_hierarchy = "at"


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(FloorAdminMixin, admin.ModelAdmin):
    """The waitlist: hosts add, update and remove parties."""

    add_roles = change_roles = delete_roles = FLOOR_ROLES
    list_display = ("party_name", "party_size", "status", "quoted_wait_minutes", "waited", "added_at", "restaurant")
    list_filter = ("status", "restaurant")
    search_fields = ("party_name", "phone", "notes")
    list_select_related = ("restaurant",)
    date_hierarchy = "added_at"

    @admin.display(description="waited (min)")
    def waited(self, obj) -> str:
        minutes = obj.actual_wait_minutes
        return "-" if minutes is None else f"{minutes:.0f}"


class VisitItemInline(FloorAdminMixin, admin.TabularInline):
    """The lines of a visit's check."""

    model = VisitItem
    extra = 0
    fields = ("menu_item", "name", "category", "quantity", "unit_price", "line_total", "ordered_at", "voided")
    readonly_fields = ("line_total",)

    @admin.display(description="line total")
    def line_total(self, obj):
        return obj.line_total if obj.pk else "-"


@admin.register(Visit)
class VisitAdmin(FloorAdminMixin, admin.ModelAdmin):
    """A party at a table, with its check lines."""

    restaurant_from = "table"
    list_display = (
        "table",
        "server",
        "party_size",
        "seated_at",
        "closed_at",
        "subtotal",
        "tip",
        "total",
        "pos_check_id",
    )
    list_filter = (IsOpenFilter, "restaurant", "server")
    search_fields = ("pos_check_id", "table__label", "server__name")
    list_select_related = ("table", "server", "restaurant")
    autocomplete_fields = ("table", "server", "waitlist_entry")
    # Set by seating (floor.services.seating), which locks and occupies them: never edited by hand.
    readonly_fields = ("joined_tables",)
    date_hierarchy = "seated_at"
    inlines = (VisitItemInline,)

    @admin.display(description="total")
    def total(self, obj):
        return obj.total


@admin.register(VisitItem)
class VisitItemAdmin(FloorAdminMixin, admin.ModelAdmin):
    """Check lines across visits."""

    list_display = ("name", "visit", "category", "quantity", "unit_price", "line_total", "voided", "ordered_at")
    list_filter = ("category", "voided")
    search_fields = ("name", "visit__pos_check_id", "visit__table__label")
    list_select_related = ("visit__table",)
    autocomplete_fields = ("visit", "menu_item")

    @admin.display(description="line total")
    def line_total(self, obj):
        return obj.line_total


@admin.register(MenuItem)
class MenuItemAdmin(FloorAdminMixin, admin.ModelAdmin):
    """The menu as the POS knows it."""

    list_display = ("name", "category", "price", "pos_item_id", "active", "restaurant")
    list_filter = ("category", "active", "restaurant")
    search_fields = ("name", "pos_item_id")
    list_select_related = ("restaurant",)


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(FloorAdminMixin, admin.ModelAdmin):
    """What the routing engine recommended and what the host did."""

    creator_fields = ("requested_by",)
    list_display = (
        "created_at",
        "party_size",
        "mode",
        "recommended_table",
        "recommended_server",
        "chosen_table",
        "chosen_server",
        "followed",
    )
    list_filter = ("mode", "followed", "restaurant")
    search_fields = ("recommended_table__label", "chosen_table__label", "waitlist_entry__party_name")
    list_select_related = ("recommended_table", "recommended_server", "chosen_table", "chosen_server")
    autocomplete_fields = (
        "waitlist_entry",
        "recommended_table",
        "recommended_server",
        "chosen_table",
        "chosen_server",
        "visit",
    )
    readonly_fields = ("requested_by",)
    date_hierarchy = "created_at"
