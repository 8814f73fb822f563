"""Admin across every model: what each persona sees, that pages render with a bounded number of
queries, and that no restaurant's rows leak to another's manager (changelists, change URLs, filters,
autocomplete, choices)."""

import json

import pytest
from django.contrib import admin
from rest_framework.test import APIClient

from floor.models import Section
from restaurant.admin_scoping import restaurant_id_of
from restaurant.models import ApiClient, Membership, Restaurant
from restaurant.services import api_client_create
from restaurant.tests.admin_support import (
    FAST_HASHERS,
    READ_ONLY_MODELS,
    admin_app_models,
    admin_client,
    admin_url,
    changelist_rows,
    fill_restaurant,
    form_data,
    project_models,
    superuser_client,
)
from staff.models import Shift, StaffMember

MODELS = project_models()
MODEL_IDS = [model._meta.label for model in MODELS]
TENANT_MODELS = [model for model in MODELS if model._meta.label != "vision.ClassifierModel"]
TENANT_IDS = [model._meta.label for model in TENANT_MODELS]

# Changelist queries do not grow with rows; this bound leaves room for filters and date drill-down.
CHANGELIST_MAX_QUERIES = 16


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def filled(restaurant, other_restaurant):
    """Both restaurants with a few rows of every model."""
    return fill_restaurant(restaurant), fill_restaurant(other_restaurant)


@pytest.fixture
def manager(manager_user):
    return admin_client(manager_user)


def test_every_model_of_every_app_has_an_admin():
    missing = [model._meta.label for model in MODELS if model not in admin.site._registry]
    assert missing == []


@pytest.mark.django_db
def test_superuser_index_lists_every_model():
    response = superuser_client().get("/admin/")
    assert response.status_code == 200
    assert set(MODEL_IDS) <= admin_app_models(response)


def test_manager_index_lists_their_models_but_no_global_or_django_ones(manager):
    listed = admin_app_models(manager.get("/admin/"))
    assert set(TENANT_IDS) == listed  # no classifier registry, users, groups or beat schedules


def test_host_index_lists_only_floor_models(host_user):
    listed = admin_app_models(admin_client(host_user).get("/admin/"))
    assert listed == {label for label in MODEL_IDS if label.startswith("floor.")}


def test_staff_index_lists_only_their_availability_time_off_and_preferences(staff_user):
    listed = admin_app_models(admin_client(staff_user).get("/admin/"))
    assert listed == {"scheduling.StaffAvailability", "scheduling.TimeOff", "scheduling.StaffPreference"}


def test_member_without_admin_access_is_sent_to_the_login_page(manager_user):
    client = admin_client(manager_user)
    manager_user.is_staff = False
    manager_user.save(update_fields=["is_staff"])
    response = client.get(admin_url(Restaurant, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_superuser_changelist_of_every_model_renders_with_bounded_queries(model, filled, django_assert_max_num_queries):
    client = superuser_client()
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert len(changelist_rows(response)) >= 2


@pytest.mark.parametrize("model", TENANT_MODELS, ids=TENANT_IDS)
def test_manager_changelist_of_every_model_shows_only_their_restaurants_rows(
    model, filled, restaurant, manager, django_assert_max_num_queries
):
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = manager.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    rows = changelist_rows(response)
    assert rows
    assert {restaurant_id_of(row) for row in rows} == {restaurant.pk}


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_superuser_add_page_of_every_model_renders_unless_the_model_is_a_record(model, filled):
    response = superuser_client().get(admin_url(model, "add"))
    assert response.status_code == (403 if model._meta.label in READ_ONLY_MODELS else 200)


@pytest.mark.parametrize("model", TENANT_MODELS, ids=TENANT_IDS)
def test_manager_add_page_of_every_model_renders_unless_the_model_is_a_record(model, filled, manager):
    expected = 200
    if model._meta.label in READ_ONLY_MODELS or model is Restaurant:
        expected = 403  # records are read-only; restaurants are created by superusers
    assert manager.get(admin_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", TENANT_MODELS, ids=TENANT_IDS)
def test_manager_opens_own_rows_and_gets_doesnt_exist_for_the_other_restaurants(model, filled, manager):
    ours, theirs = filled
    own = manager.get(admin_url(model, "change", ours[model][0].pk))
    assert own.status_code == 200

    foreign = manager.get(admin_url(model, "change", theirs[model][0].pk), follow=True)
    assert foreign.redirect_chain[-1][0] == "/admin/"
    assert "doesn’t exist" in foreign.content.decode()
    # Restaurants (superusers only) and records (never by themselves) are 403 whatever the id: no leak either.
    refused = model is Restaurant or model._meta.label in READ_ONLY_MODELS
    assert manager.get(admin_url(model, "delete", theirs[model][0].pk)).status_code == (403 if refused else 302)
    assert manager.get(admin_url(model, "history", theirs[model][0].pk)).status_code == 302


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name"),
    [
        ("floor", "table", "section"),
        ("floor", "visit", "table"),
        ("floor", "visit", "server"),
        ("floor", "visititem", "menu_item"),
        ("staff", "shift", "staff"),
        ("scheduling", "scheduleitem", "schedule"),
        ("vision", "prediction", "camera"),
    ],
)
def test_autocomplete_offers_only_the_managers_restaurants_rows(app_label, model_name, field_name, filled, manager):
    ours, theirs = filled
    response = manager.get(
        "/admin/autocomplete/", {"app_label": app_label, "model_name": model_name, "field_name": field_name}
    )
    assert response.status_code == 200
    offered = {int(result["id"]) for result in response.json()["results"]}
    target = type(next(row for rows in ours.values() for row in rows if type(row).__name__.lower() == model_name))
    related = target._meta.get_field(field_name).related_model
    assert offered == {row.pk for row in ours[related]}
    assert not offered & {row.pk for row in theirs[related]}


def test_outsider_sees_none_of_our_rows_in_any_changelist(filled, outsider_user, other_restaurant):
    client = admin_client(outsider_user)
    for model in TENANT_MODELS:
        rows = changelist_rows(client.get(admin_url(model, "changelist")))
        assert {restaurant_id_of(row) for row in rows} == {other_restaurant.pk}, model._meta.label


def test_related_filters_list_only_the_managers_restaurants_values(filled, manager, other_restaurant):
    page = manager.get(admin_url(ApiClient, "changelist")).content.decode()
    assert other_restaurant.name not in page
    page = manager.get(admin_url(Shift, "changelist")).content.decode()
    assert filled[0][StaffMember][0].name in page
    assert all(row.name not in page for row in filled[1][StaffMember])


def test_restaurant_choice_is_preset_and_hidden_for_a_manager_of_one_restaurant(manager, restaurant):
    url = admin_url(Section, "add")
    page = manager.get(url)
    assert "restaurant" not in page.context["adminform"].form.fields
    response = manager.post(url, form_data(page, name="Terrace"))
    assert response.status_code == 302
    assert restaurant.sections.get().name == "Terrace"


def test_manager_of_two_restaurants_chooses_among_theirs_only(manager_user, restaurant, other_restaurant):
    third = Restaurant.objects.create(name="Sister Cafe")
    Membership.objects.create(user=manager_user, restaurant=third, role="manager")
    client = admin_client(manager_user)
    url = admin_url(Section, "add")
    page = client.get(url)
    assert set(page.context["adminform"].form.fields["restaurant"].queryset) == {restaurant, third}

    response = client.post(url, form_data(page, restaurant=other_restaurant.pk, name="Stolen"))
    assert response.status_code == 200
    assert "restaurant" in response.context["adminform"].form.errors
    assert not other_restaurant.sections.exists()


def test_manager_of_two_restaurants_cannot_mix_their_rows_in_one_form(manager_user, restaurant):
    from floor.tests.factories import SectionFactory
    from staff.tests.factories import StaffMemberFactory

    sister = Restaurant.objects.create(name="Sister Cafe")
    Membership.objects.create(user=manager_user, restaurant=sister, role="manager")
    server = StaffMemberFactory(restaurant=restaurant)
    sister_section = SectionFactory(restaurant=sister)
    client = admin_client(manager_user)
    page = client.get(admin_url(Shift, "add"))
    response = client.post(
        admin_url(Shift, "add"), form_data(page, staff=server.pk, role="server", section=sister_section.pk)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["section"] == ["belongs to another restaurant than this row"]
    assert not server.shifts.exists()


def test_membership_user_choices_are_the_restaurants_members(filled, manager, outsider_user, manager_user):
    form = manager.get(admin_url(Membership, "add")).context["adminform"].form
    users = set(form.fields["user"].queryset)
    assert manager_user in users
    assert outsider_user not in users


def test_records_are_read_only_even_for_a_superuser(filled):
    from restaurant.models import InboxEvent

    event = filled[0][InboxEvent][0]
    client = superuser_client()
    page = client.get(admin_url(InboxEvent, "change", event.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(admin_url(InboxEvent, "change", event.pk), {"event_type": "forged"}).status_code == 403
    event.refresh_from_db()
    assert event.event_type == "check"


def test_adding_an_api_client_shows_its_key_and_secret_once_and_keeps_only_a_hash(manager, restaurant):
    url = admin_url(ApiClient, "add")
    page = manager.get(url)
    response = manager.post(url, form_data(page, name="Main POS", scopes=["pos", "frontend"]))
    assert response.status_code == 200
    issued = json.loads(response.context["as_json"])
    client = ApiClient.objects.get(pk=issued["id"])
    assert (client.restaurant, client.name, client.scopes) == (restaurant, "Main POS", ["frontend", "pos"])
    assert client.check_key(issued["key"]) and client.key_hash != issued["key"]
    assert issued["signing_secret"] == client.signing_secret and issued["signing_secret"].startswith("whsec_")
    assert issued["key"] in response.content.decode()

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued['key']}")
    assert api.get("/api/v1/restaurants/").status_code == 200

    change_page = manager.get(admin_url(ApiClient, "change", client.pk)).content.decode()
    assert client.key_prefix in change_page
    for secret in (issued["key"], client.key_hash, client.signing_secret):
        assert secret not in change_page


def test_api_client_name_taken_in_the_restaurant_is_a_form_error(manager, restaurant):
    api_client_create(restaurant=restaurant, name="Main POS", scopes=[])
    url = admin_url(ApiClient, "add")
    response = manager.post(url, form_data(manager.get(url), name="Main POS"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert ApiClient.objects.count() == 1


def test_revoke_action_deactivates_only_the_managers_clients(manager, restaurant, other_restaurant):
    ours = api_client_create(restaurant=restaurant, name="POS", scopes=["pos"]).client
    theirs = api_client_create(restaurant=other_restaurant, name="POS", scopes=["pos"]).client
    manager.post(admin_url(ApiClient, "changelist"), {"action": "revoke", "_selected_action": [ours.pk, theirs.pk]})
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.active, theirs.active) == (False, True)
