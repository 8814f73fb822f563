"""Admin for the tenant: restaurants, memberships, API clients and the webhook inbox/outbox.
Scoping to the user's restaurants comes from TenantAdminMixin (restaurant/admin_scoping.py)."""

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse

from restaurant.admin_scoping import TenantAdminMixin, TenantModelForm
from restaurant.models import ApiClient, ApiScope, InboxEvent, InboxStatus, Membership, OutboxEvent, Restaurant
from restaurant.services import api_client_create
from restaurant.services.inbox import inbox_event_replay

admin.site.site_header = "Restaurant Ops admin"
admin.site.site_title = "Restaurant Ops"
admin.site.index_title = "Data of your restaurants"


class MembershipInline(TenantAdminMixin, admin.TabularInline):
    """Who may act for the restaurant, and in which role."""

    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Restaurant)
class RestaurantAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Managers edit their restaurants' settings; only superusers create or delete restaurants."""

    add_roles = ()
    delete_roles = ()
    # The count annotation groups rows, and Django drops Meta.ordering from grouped queries.
    ordering = Restaurant._meta.ordering
    list_display = ("name", "timezone", "currency", "routing_mode", "member_count", "created_at")
    list_filter = ("routing_mode", "currency")
    search_fields = ("name",)
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("name", "timezone", "currency", "created_at")}),
        ("Service", {"fields": ("opening_hours", "day_parts")}),
        ("Routing", {"fields": ("routing_mode", "routing_settings")}),
    )
    inlines = (MembershipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("memberships"))

    @admin.display(description="members", ordering="_member_count")
    def member_count(self, obj) -> int:
        return obj._member_count


@admin.register(Membership)
class MembershipAdmin(TenantAdminMixin, admin.ModelAdmin):
    """A user's role in a restaurant. Users come from the restaurant's members (superusers: all)."""

    list_display = ("user", "restaurant", "role", "created_at")
    list_filter = ("role", "restaurant")
    search_fields = ("user__username", "user__email", "restaurant__name")
    list_select_related = ("user", "restaurant")
    readonly_fields = ("created_at",)


class ApiClientForm(TenantModelForm):
    """Scopes as checkboxes instead of raw JSON."""

    scopes = forms.MultipleChoiceField(
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Without scopes the key only reads.",
    )
    webhook_url = forms.URLField(
        required=False, assume_scheme="https", help_text="Where outgoing events (table states...) are posted."
    )

    class Meta:
        model = ApiClient
        fields = ("restaurant", "name", "scopes", "webhook_url", "active")


@admin.register(ApiClient)
class ApiClientAdmin(TenantAdminMixin, admin.ModelAdmin):
    """API clients. Adding one issues a key through `api_client_create` and shows the key and signing
    secret once, like `manage.py create_api_key`; only the key's prefix is shown afterwards."""

    form = ApiClientForm
    list_display = ("name", "restaurant", "key_prefix", "scope_list", "active", "created_at", "last_used_at")
    list_filter = ("active", "restaurant")
    search_fields = ("name", "key_prefix", "restaurant__name")
    list_select_related = ("restaurant",)
    readonly_fields = ("key_prefix", "created_at", "last_used_at")
    actions = ("revoke",)

    @admin.display(description="scopes")
    def scope_list(self, obj) -> str:
        return ", ".join(obj.scopes) or "(read-only)"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            # The key does not exist until it is issued; a new key is always active.
            return [f for f in fields if f not in ("key_prefix", "created_at", "last_used_at", "active")]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        issued = api_client_create(
            restaurant=obj.restaurant, name=obj.name, scopes=list(obj.scopes), webhook_url=obj.webhook_url
        )
        # Let the admin go on (log entry, response) with the row the service made.
        obj.pk = issued.client.pk
        obj.refresh_from_db()
        obj._state.adding = False
        request._issued_api_key = issued

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(request, "_issued_api_key", None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"API key for {obj.name}",
            "client": obj,
            "key": issued.key,
            "signing_secret": obj.signing_secret,
            "as_json": json.dumps(issued.as_dict()),
            "change_url": reverse("admin:restaurant_apiclient_change", args=[obj.pk]),
        }
        return TemplateResponse(request, "admin/restaurant/apiclient/key_issued.html", context)

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(active=True).update(active=False)
        self.message_user(request, f"Revoked {count} API key(s); calls with them now get 401.", messages.SUCCESS)


@admin.register(InboxEvent)
class InboxEventAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Events received from integrations: a read-only record with each one's payload, attempts and last
    error. Failed or held events can be replayed (`inbox_event_replay`, the service the retries use)."""

    read_only = True
    list_display = (
        "event_type",
        "event_id",
        "restaurant",
        "api_client",
        "status",
        "attempts",
        "held_key",
        "received_at",
        "next_attempt_at",
    )
    list_filter = ("status", "event_type", "restaurant")
    search_fields = ("event_id", "event_type", "held_key")
    list_select_related = ("restaurant", "api_client")
    date_hierarchy = "received_at"
    readonly_fields = ("payload_json",)
    fields = (
        ("restaurant", "api_client"),
        ("event_id", "event_type"),
        ("status", "attempts"),
        "error",
        "held_key",
        ("occurred_at", "received_at", "processed_at", "next_attempt_at"),
        "payload_json",
    )
    actions = ("replay",)

    @admin.display(description="payload")
    def payload_json(self, obj) -> str:
        return json.dumps(obj.payload, indent=2, sort_keys=True)

    def has_replay_permission(self, request) -> bool:
        return request.user.is_superuser or bool(self._ids(request, self.change_roles))

    @admin.action(description="Replay selected failed or held events", permissions=["replay"])
    def replay(self, request, queryset):
        outcomes: dict[str, int] = {}
        skipped = queryset.filter(status=InboxStatus.PROCESSED).count()
        for event in queryset.exclude(status=InboxStatus.PROCESSED).order_by("occurred_at", "received_at", "pk"):
            status = inbox_event_replay(event=event).status
            outcomes[status] = outcomes.get(status, 0) + 1
        summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items())) or "nothing replayed"
        level = messages.WARNING if set(outcomes) - {InboxStatus.PROCESSED} else messages.SUCCESS
        note = f" ({skipped} were processed already and were left alone)" if skipped > 0 else ""
        self.message_user(request, f"Replayed: {summary}{note}.", level)


@admin.register(OutboxEvent)
class OutboxEventAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Events sent to integrations' webhooks, with delivery attempts: a read-only record."""

    read_only = True
    list_display = ("event_type", "api_client", "restaurant", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("status", "event_type", "restaurant")
    search_fields = ("event_id", "event_type", "api_client__name")
    list_select_related = ("restaurant", "api_client")
    date_hierarchy = "created_at"
