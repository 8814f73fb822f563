"""The one mixin that scopes Django admin to the restaurants a user belongs to.

Every ModelAdmin and inline of the project uses `TenantAdminMixin`. Access comes from Membership
roles, never from Django's per-model permission table, so a new manager works without assigning
permissions (the user still needs `is_staff` to log into admin at all):

- superuser: everything, in every restaurant.
- owner / manager: sees, adds, changes and deletes every row of their restaurants, nothing of others.
- host: views the floor models of their restaurant (sections, tables, state history, visits, menu,
  routing decisions) and edits the waitlist, which is what the host stand keeps; nothing else.
- staff, and any member linked to a StaffMember: their own availability, time off and preferences
  (the models whose admin sets `self_service_field`), and nothing else. They cannot approve their
  own time off: fields in `self_service_readonly_fields` stay read-only and keep their default.
- global models (no restaurant, such as the classifier registry): superusers only.

Rows are filtered with `Model.objects.for_restaurants(...)` (restaurant/tenancy.py), so another
restaurant's row is missing from changelists, change URLs ("doesn't exist"), filters and the
autocomplete endpoint. Every foreign-key and many-to-many choice is limited to the same restaurants,
and `TenantModelForm` refuses a choice from another restaurant than the row's own, so posting a
foreign id is a form error and nothing is saved.

Each admin says who may do what with `view_roles`, `add_roles`, `change_roles` and `delete_roles`
(default: owners and managers); `read_only = True` makes an audit model (history, inbox/outbox)
read-only for everyone: nobody adds, edits or deletes one by itself, but deleting what it records
(a table, a staff member, a draft schedule) takes its records along.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied

from restaurant.models import MANAGING_ROLES, Membership, Restaurant


def restaurant_id_of(obj) -> int | None:
    """The id of the restaurant an instance belongs to (None for global models), reading `_id`
    attributes so the last hop costs no query."""
    if obj is None:
        return None
    if isinstance(obj, Restaurant):
        return obj.pk
    *hops, last = getattr(type(obj), "tenant_field", "restaurant").split("__")
    value = obj
    for hop in hops:
        value = getattr(value, hop, None)
        if value is None:
            return None
    return getattr(value, f"{last}_id", None)


def has_restaurant_field(model) -> bool:
    try:
        return model._meta.get_field("restaurant").related_model is Restaurant
    except FieldDoesNotExist:
        return False


def is_tenant_model(model) -> bool:
    """Does this model belong to a restaurant (directly or through its tenant_field)?"""
    return model is Restaurant or hasattr(model, "tenant_field") or has_restaurant_field(model)


def scope_queryset(queryset, restaurant_ids):
    """Rows of these restaurants only; None for a model that belongs to no restaurant."""
    model = queryset.model
    if model is Restaurant:
        return queryset.filter(pk__in=restaurant_ids)
    if hasattr(queryset, "for_restaurants"):
        return queryset.for_restaurants(restaurant_ids)
    if has_restaurant_field(model):
        return queryset.filter(restaurant__in=restaurant_ids)
    return None


@dataclass
class AdminAccess:
    """One user's roles by restaurant, loaded once per request and shared by every admin on the page."""

    roles: dict[int, str]
    own_staff: dict[str, dict[int, int]] = field(default_factory=dict)  # model label -> {staff id: restaurant id}

    def restaurant_ids(self, roles) -> list[int]:
        return sorted(rid for rid, role in self.roles.items() if role in roles)


def may_enter_admin(user) -> bool:
    """What `AdminSite.has_permission` asks: an active user with `is_staff`. Anyone else (a visitor on
    the login page, a member without admin access) holds no admin permission and no role here."""
    return bool(user and user.is_active and user.is_staff)


def admin_access(request) -> AdminAccess:
    access = getattr(request, "_tenant_admin_access", None)
    if access is None:
        if may_enter_admin(request.user):
            rows = Membership.objects.filter(user=request.user).values_list("restaurant_id", "role")
            access = AdminAccess(roles=dict(rows))
        else:
            # The login page lists the apps too (AdminSite.each_context): an anonymous user has no id
            # to filter memberships by, and needs no query to learn they may see nothing.
            access = AdminAccess(roles={})
        request._tenant_admin_access = access
    return access


class TenantModelForm(forms.ModelForm):
    """A model form that knows the row's restaurant before validation and refuses related rows of
    any other restaurant. The mixin sets the two class attributes per request."""

    tenant_restaurant_from: str | None = None
    tenant_fixed_restaurant_id: int | None = None

    def clean(self):
        cleaned = super().clean()
        restaurant_id = self._row_restaurant_id(cleaned)
        if restaurant_id is None:
            return cleaned
        model = self._meta.model
        if has_restaurant_field(model) and "restaurant" not in self.fields:
            # Set before model validation so unique constraints on (restaurant, ...) are checked.
            self.instance.restaurant_id = restaurant_id
        for name, value in list(cleaned.items()):
            if name == "restaurant" or value is None:
                continue
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            related = model_field.related_model
            if related is None or related is Restaurant or not is_tenant_model(related):
                continue
            values = list(value) if model_field.many_to_many else [value]
            if any(restaurant_id_of(v) not in (None, restaurant_id) for v in values):
                self.add_error(name, "belongs to another restaurant than this row")
        return cleaned

    def _row_restaurant_id(self, cleaned) -> int | None:
        model = self._meta.model
        if model is Restaurant or not is_tenant_model(model):
            return None
        if self.instance.pk is not None:
            return restaurant_id_of(self.instance)  # a row never moves to another restaurant
        if cleaned.get("restaurant") is not None:
            return cleaned["restaurant"].pk
        if self.tenant_fixed_restaurant_id is not None:
            return self.tenant_fixed_restaurant_id
        source = self.tenant_restaurant_from or getattr(model, "tenant_field", "restaurant").split("__")[0]
        return restaurant_id_of(cleaned.get(source))

    def _get_validation_exclusions(self):
        # Django skips model checks on fields missing from the form; the restaurant set in clean()
        # must still count, or a duplicate (restaurant, label) would reach the database as a 500.
        exclude = super()._get_validation_exclusions()
        if "restaurant" not in self.fields and getattr(self.instance, "restaurant_id", None) is not None:
            exclude.discard("restaurant")
        return exclude


class TenantAdminMixin:
    """Scopes a ModelAdmin or inline to the user's restaurants and roles; see the module docstring."""

    form = TenantModelForm
    view_roles = MANAGING_ROLES
    add_roles = MANAGING_ROLES
    change_roles = MANAGING_ROLES
    delete_roles = MANAGING_ROLES
    read_only = False
    # The FK whose restaurant becomes the row's restaurant on add (the field is then not shown).
    restaurant_from: str | None = None
    # The FK to the StaffMember a row belongs to, for rows members manage themselves.
    self_service_field: str | None = None
    self_service_readonly_fields: tuple[str, ...] = ()
    # User fields filled with the acting user when a row is added through admin.
    creator_fields: tuple[str, ...] = ()

    # --- who is asking -------------------------------------------------------------------------

    @property
    def _is_inline(self) -> bool:
        return isinstance(self, admin.options.InlineModelAdmin)

    def _ids(self, request, roles) -> list[int]:
        return admin_access(request).restaurant_ids(roles)

    def _own_staff(self, request) -> dict[int, int]:
        """{staff id: restaurant id} of the user's own StaffMember rows in restaurants they belong to."""
        if not self.self_service_field or self._is_inline:
            return {}
        access = admin_access(request)
        if not access.roles:
            return {}
        staff_model = self.model._meta.get_field(self.self_service_field).related_model
        key = staff_model._meta.label
        if key not in access.own_staff:
            rows = staff_model._default_manager.filter(user=request.user, restaurant_id__in=list(access.roles))
            access.own_staff[key] = dict(rows.values_list("pk", "restaurant_id"))
        return access.own_staff[key]

    def _form_restaurant_ids(self, request) -> list[int]:
        """Restaurants whose rows may be chosen in this admin's forms."""
        ids = set(self._ids(request, self.add_roles + self.change_roles))
        ids.update(self._own_staff(request).values())
        return sorted(ids)

    def _acts_for_self(self, request, obj) -> bool:
        """Is this user handling the row only as its owner (not as a manager of its restaurant)?"""
        if request.user.is_superuser or not self.self_service_field or self._is_inline:
            return False
        managed = self._ids(request, self.change_roles)
        if obj is None:
            return not managed
        return restaurant_id_of(obj) not in managed

    # --- permissions ----------------------------------------------------------------------------

    def _allowed(self, request, obj, roles) -> bool:
        if not may_enter_admin(request.user):
            return False
        if request.user.is_superuser:
            return True
        if not is_tenant_model(self.model):
            return False
        ids = self._ids(request, roles)
        own = self._own_staff(request)
        if obj is None:
            return bool(ids) or bool(own)
        if restaurant_id_of(obj) in ids:
            return True
        # For an inline, obj is the parent row: only the restaurant's roles count there.
        return not self._is_inline and getattr(obj, f"{self.self_service_field}_id", None) in own

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        roles = self.view_roles + self.add_roles + self.change_roles + self.delete_roles
        return self._allowed(request, obj, roles)

    def has_add_permission(self, request, obj=None):
        # ModelAdmin passes no obj; an inline passes its parent row.
        return not self.read_only and self._allowed(request, obj if self._is_inline else None, self.add_roles)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and self._allowed(request, obj, self.change_roles)

    def has_delete_permission(self, request, obj=None):
        # Django asks this for every row a deletion cascades to, so a record answers like its
        # owner would; deleting a record by itself is refused in delete_view instead.
        return self._allowed(request, obj, self.delete_roles)

    def delete_view(self, request, object_id, extra_context=None):
        if self.read_only:
            raise PermissionDenied
        return super().delete_view(request, object_id, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if self.read_only:
            extra_context = {**(extra_context or {}), "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.read_only:
            actions.pop("delete_selected", None)
        return actions

    # --- rows -----------------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # Pages show a row's __str__ and related fields many times: load those with the row.
        if self._is_inline:
            queryset = queryset.select_related(*(f.name for f in self.model._meta.fields if f.is_relation))
        elif isinstance(self.list_select_related, list | tuple):
            queryset = queryset.select_related(*self.list_select_related)
        if request.user.is_superuser:
            return queryset
        roles = self.view_roles + self.add_roles + self.change_roles + self.delete_roles
        scoped = scope_queryset(queryset, self._ids(request, roles))
        if scoped is None:
            return queryset.none()
        own = self._own_staff(request)
        if own:
            scoped = scoped | queryset.filter(**{f"{self.self_service_field}__in": list(own)})
        return scoped

    def get_list_filter(self, request):
        # A plain related filter would list every restaurant's sections, staff...; this one lists
        # only values present in the rows the user may see.
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and self._is_relation_path(entry):
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters

    def _is_relation_path(self, path: str) -> bool:
        model = self.model
        for name in path.split("__"):
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                return False
            if not model_field.is_relation:
                return False
            model = model_field.related_model
        return True

    # --- form fields ----------------------------------------------------------------------------

    def _choices(self, db_field, request, base):
        related = db_field.related_model
        queryset = base if base is not None else related._default_manager.all()
        if request.user.is_superuser:
            return queryset
        if related is get_user_model():
            ids = self._form_restaurant_ids(request)
            return queryset.filter(memberships__restaurant__in=ids).distinct()
        if not is_tenant_model(related):
            return queryset
        if db_field.name == self.self_service_field and not self._is_inline:
            managed = scope_queryset(queryset, self._ids(request, self.add_roles + self.change_roles))
            return managed | queryset.filter(pk__in=list(self._own_staff(request)))
        return scope_queryset(queryset, self._form_restaurant_ids(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._choices(db_field, request, self.get_field_queryset(None, db_field, request))
            if db_field.name == self.self_service_field and self._acts_for_self(request, None):
                own = list(self._own_staff(request))
                if len(own) == 1:
                    kwargs.setdefault("initial", own[0])
            elif db_field.related_model is Restaurant and not request.user.is_superuser:
                ids = self._form_restaurant_ids(request)
                if len(ids) == 1:
                    kwargs.setdefault("initial", ids[0])
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        listed_per_row = (
            self._is_inline
            and db_field.related_model is not self.parent_model  # the parent link is not a choice
            and isinstance(formfield.widget, forms.Select)
            and not isinstance(formfield.widget, AutocompleteSelect)
        )
        if listed_per_row:
            # Every inline row would query its choices again; list them once for all rows.
            formfield.choices = [(getattr(value, "value", value), label) for value, label in formfield.choices]
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._choices(db_field, request, self.get_field_queryset(None, db_field, request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _fixed_restaurant_id(self, request, obj) -> int | None:
        """The restaurant a new row gets without asking: the user's only one."""
        if obj is not None or self._is_inline or request.user.is_superuser or self.restaurant_from:
            return None
        if not has_restaurant_field(self.model):
            return None
        ids = self._form_restaurant_ids(request)
        return ids[0] if len(ids) == 1 else None

    def _hidden_fields(self, request, obj) -> set[str]:
        if not has_restaurant_field(self.model):
            return set()
        if self._is_inline or self.restaurant_from or self._fixed_restaurant_id(request, obj) is not None:
            return {"restaurant"}
        return set()

    def get_exclude(self, request, obj=None):
        hidden = self._hidden_fields(request, obj)
        excluded = super().get_exclude(request, obj)
        if not hidden:
            return excluded
        return [*(excluded or ()), *hidden]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden = self._hidden_fields(request, obj) - set(self.get_readonly_fields(request, obj))
        if not hidden:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.read_only:
            return readonly
        if not self._is_inline and obj is not None and has_restaurant_field(self.model):
            readonly.append("restaurant")  # a row never moves to another restaurant
        if self._acts_for_self(request, obj):
            readonly.extend(self.self_service_readonly_fields)
            if obj is not None:
                readonly.append(self.self_service_field)
        return list(dict.fromkeys(readonly))

    def _with_tenant(self, form_class, request, obj):
        form_class.tenant_restaurant_from = self.restaurant_from
        form_class.tenant_fixed_restaurant_id = self._fixed_restaurant_id(request, obj)
        return form_class

    def get_form(self, request, obj=None, **kwargs):
        # modelform_factory makes a fresh class per call, so setting attributes on it is per request.
        return self._with_tenant(super().get_form(request, obj, **kwargs), request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        self._with_tenant(formset.form, request, None)
        return formset

    # --- saving ---------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            for name in self.creator_fields:
                if getattr(obj, f"{name}_id", None) is None:
                    setattr(obj, name, request.user)
        if self._acts_for_self(request, obj):
            # A member who also manages another restaurant sees these fields on the add form; for
            # their own row they keep the value they had (the default, for a new row).
            for name in self.self_service_readonly_fields:
                if name in form.fields:
                    setattr(obj, self.model._meta.get_field(name).attname, form.initial.get(name))
        super().save_model(request, obj, form, change)


class RecentRowsFormSet(forms.BaseInlineFormSet):
    """An inline that shows only the latest `max_rows` rows (history can run to thousands); the
    full list is on the model's own changelist."""

    max_rows = 20

    def get_queryset(self):
        if not hasattr(self, "_recent_rows"):
            self._recent_rows = super().get_queryset()[: self.max_rows]
        return self._recent_rows


class IsOpenFilter(admin.SimpleListFilter):
    """Open rows (no end time yet) or closed ones; subclasses name the end field."""

    title = "open"
    parameter_name = "open"
    end_field = "closed_at"

    def lookups(self, request, model_admin):
        return (("yes", "Open"), ("no", "Closed"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{f"{self.end_field}__isnull": self.value() == "yes"})
        return queryset
