"""Admin for the tenant: restaurants, memberships, API clients, webhook endpoints and the webhook inbox/outbox.
Scoping to the user's restaurants comes from TenantAdminMixin (restaurant/admin_scoping.py)."""

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse

from restaurant.admin_scoping import TenantAdminMixin, TenantModelForm
from restaurant.models import (
    ApiClient,
    ApiScope,
    DeliveryAttempt,
    InboxEvent,
    InboxStatus,
    Membership,
    OutboxEvent,
    Restaurant,
    WebhookEndpoint,
    WebhookEventType,
)
from restaurant.services import api_client_create
from restaurant.services.inbox import inbox_event_replay
from restaurant.services.webhooks import (
    outbox_event_replay,
    webhook_endpoint_create,
    webhook_endpoint_enable,
    webhook_endpoint_update,
)

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

    class Meta:
        model = ApiClient
        fields = ("restaurant", "name", "scopes", "active")


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
        issued = api_client_create(restaurant=obj.restaurant, name=obj.name, scopes=list(obj.scopes))
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


class DeliveryAttemptInline(TenantAdminMixin, admin.TabularInline):
    """Every try at posting the event: a read-only log."""

    model = DeliveryAttempt
    read_only = True
    extra = 0
    fields = ("started_at", "succeeded", "status_code", "duration_ms", "error")
    readonly_fields = fields
    ordering = ("-started_at", "-id")


@admin.register(OutboxEvent)
class OutboxEventAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Events sent to webhook endpoints, with their delivery attempts: a read-only record that managers
    may replay (sent again from the first attempt, with the same webhook-id)."""

    read_only = True
    list_display = ("event_type", "endpoint", "restaurant", "status", "attempts", "next_attempt_at", "delivered_at")
    list_filter = ("status", "event_type", "restaurant")
    search_fields = ("event_id", "event_type", "endpoint__name")
    list_select_related = ("restaurant", "endpoint")
    date_hierarchy = "created_at"
    inlines = (DeliveryAttemptInline,)
    actions = ("replay",)

    def has_replay_permission(self, request) -> bool:
        return self._allowed(request, None, self.change_roles)

    @admin.action(description="Replay selected events (send again)", permissions=["replay"])
    def replay(self, request, queryset):
        events = list(queryset)
        for event in events:
            outbox_event_replay(event=event)
        self.message_user(request, f"Queued {len(events)} event(s) to be sent again.", messages.SUCCESS)


class WebhookEndpointForm(TenantModelForm):
    """Event types as checkboxes instead of raw JSON."""

    event_types = forms.MultipleChoiceField(
        choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    url = forms.URLField(max_length=500, assume_scheme="https", help_text="Where the events are posted.")

    class Meta:
        model = WebhookEndpoint
        fields = ("restaurant", "name", "url", "event_types", "active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Where the restaurant's events are posted. Adding one issues its signing secret through
    `webhook_endpoint_create` and shows it once; turning one back on goes through `webhook_endpoint_enable`
    (the failure count restarts and what was pending is sent)."""

    form = WebhookEndpointForm
    list_display = (
        "name",
        "restaurant",
        "url",
        "active",
        "consecutive_failures",
        "disabled_reason",
        "last_success_at",
        "last_failure_at",
    )
    list_filter = ("active", "restaurant")
    search_fields = ("name", "url", "restaurant__name")
    list_select_related = ("restaurant",)
    readonly_fields = (
        "consecutive_failures",
        "disabled_reason",
        "disabled_at",
        "last_success_at",
        "last_failure_at",
        "created_at",
    )
    actions = ("enable",)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            return [f for f in fields if f not in self.readonly_fields]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "restaurant"}
            webhook_endpoint_update(endpoint=obj, **changes)
            obj.refresh_from_db()
            return
        issued = webhook_endpoint_create(
            restaurant=obj.restaurant, name=obj.name, url=obj.url, event_types=list(obj.event_types), active=obj.active
        )
        obj.pk = issued.endpoint.pk
        obj.refresh_from_db()
        obj._state.adding = False
        request._issued_webhook_secret = issued.secret

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_issued_webhook_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Signing secret of {obj.name}",
            "endpoint": obj,
            "secret": secret,
            "change_url": reverse("admin:restaurant_webhookendpoint_change", args=[obj.pk]),
        }
        return TemplateResponse(request, "admin/restaurant/webhookendpoint/secret_issued.html", context)

    @admin.action(description="Turn selected endpoints back on", permissions=["change"])
    def enable(self, request, queryset):
        endpoints = list(queryset)
        for endpoint in endpoints:
            webhook_endpoint_enable(endpoint=endpoint)
        self.message_user(request, f"Turned {len(endpoints)} endpoint(s) on.", messages.SUCCESS)


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Every try at posting a webhook, across events: a read-only log."""

    read_only = True
    list_display = ("started_at", "outbox_event", "succeeded", "status_code", "duration_ms", "error")
    list_filter = ("succeeded", "restaurant")
    search_fields = ("outbox_event__event_id", "outbox_event__endpoint__name", "error")
    list_select_related = ("restaurant", "outbox_event__endpoint")
    raw_id_fields = ("outbox_event",)
    date_hierarchy = "started_at"
