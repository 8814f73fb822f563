"""Webhook endpoints and deliveries over the API, and the integrations page, for every persona: owners,
managers and keys with the `webhooks` scope manage them; hosts, staff and other keys get 403; another
restaurant's manager gets 404. The signing secret is answered on create and rotate only."""

import pytest
from django.test import Client

from restaurant.models import InboxEvent, InboxStatus, OutboxEvent, OutboxStatus, WebhookEndpoint
from restaurant.services.webhooks import webhook_endpoint_create, webhook_endpoint_send_test

pytestmark = pytest.mark.django_db

NEW = {"name": "Main POS", "url": "https://pos.example.com/hook", "event_types": ["table.state_changed"]}


def base(restaurant) -> str:
    return f"/api/v1/restaurants/{restaurant.pk}/webhook-endpoints/"


@pytest.fixture
def endpoint(restaurant):
    return webhook_endpoint_create(
        restaurant=restaurant, name="CRM", url="https://crm.example.com/in", event_types=["party.seated"]
    ).endpoint


def test_a_manager_registers_an_endpoint_and_sees_its_secret_once(restaurant, manager_api):
    response = manager_api.post(base(restaurant), NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["signing_secret"].startswith("whsec_") and body["active"] is True
    assert body["event_types"] == ["table.state_changed"]
    listed = manager_api.get(base(restaurant)).json()["results"]
    assert [e["name"] for e in listed] == ["Main POS"] and "signing_secret" not in listed[0]
    one = manager_api.get(f"{base(restaurant)}{body['id']}/").json()
    assert "signing_secret" not in one

    rotated = manager_api.post(f"{base(restaurant)}{body['id']}/rotate-secret/").json()
    assert rotated["signing_secret"].startswith("whsec_") and rotated["signing_secret"] != body["signing_secret"]
    assert WebhookEndpoint.objects.get().signing_secret == rotated["signing_secret"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event_types": ["table.exploded"]}, "event_types"),
        ({"event_types": []}, "event_types"),
        ({"url": "not a url"}, "url"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(restaurant, manager_api, change, field):
    response = manager_api.post(base(restaurant), {**NEW, **change}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"]
    assert not WebhookEndpoint.objects.exists()


def test_a_duplicate_name_is_a_400(restaurant, manager_api, endpoint):
    response = manager_api.post(base(restaurant), {**NEW, "name": "CRM"}, format="json")
    assert response.status_code == 400 and "name" in response.json()["error"]["details"]


def test_turning_an_endpoint_off_and_on_over_the_api(restaurant, manager_api, endpoint):
    url = f"{base(restaurant)}{endpoint.pk}/"
    off = manager_api.patch(url, {"active": False}, format="json").json()
    assert off["active"] is False and off["disabled_reason"] == "Turned off by a manager."
    endpoint.consecutive_failures = 7
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=7)
    on = manager_api.post(f"{url}enable/").json()
    assert on["active"] is True and on["disabled_reason"] == "" and on["consecutive_failures"] == 0
    renamed = manager_api.patch(url, {"name": "CRM 2", "event_types": ["visit.closed"]}, format="json").json()
    assert (renamed["name"], renamed["event_types"]) == ("CRM 2", ["visit.closed"])
    assert manager_api.delete(url).status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_a_test_event_and_a_replay_over_the_api(restaurant, manager_api, endpoint):
    answer = manager_api.post(f"{base(restaurant)}{endpoint.pk}/test/")
    assert answer.status_code == 202
    event = OutboxEvent.objects.get(pk=answer.json()["id"])
    assert event.event_type == "webhook.test" and answer.json()["webhook_id"] == str(event.event_id)
    OutboxEvent.objects.filter(pk=event.pk).update(status=OutboxStatus.FAILED, attempts=12)

    deliveries = f"/api/v1/restaurants/{restaurant.pk}/webhook-deliveries/"
    listed = manager_api.get(deliveries, {"status": "failed"}).json()["results"]
    assert [d["id"] for d in listed] == [event.pk] and listed[0]["attempts_log"] == []
    replayed = manager_api.post(f"{deliveries}{event.pk}/replay/")
    assert replayed.status_code == 202 and replayed.json()["status"] == "pending" and replayed.json()["attempts"] == 0


def test_a_key_with_the_webhooks_scope_manages_endpoints_and_others_do_not(restaurant, make_key_api, endpoint):
    allowed = make_key_api(restaurant, scopes=["webhooks"], name="Ops")
    assert allowed.get(base(restaurant)).status_code == 200
    assert allowed.post(base(restaurant), NEW, format="json").status_code == 201
    pos_only = make_key_api(restaurant, scopes=["pos"], name="POS")
    assert pos_only.get(base(restaurant)).status_code == 403
    assert pos_only.post(base(restaurant), {**NEW, "name": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("persona", ["host_api", "staff_api"])
def test_hosts_and_staff_get_403(request, restaurant, endpoint, persona):
    client = request.getfixturevalue(persona)
    assert client.get(base(restaurant)).status_code == 403
    assert client.get(f"{base(restaurant)}{endpoint.pk}/").status_code == 403
    assert client.post(f"{base(restaurant)}{endpoint.pk}/enable/").status_code == 403
    assert client.get(f"/api/v1/restaurants/{restaurant.pk}/webhook-deliveries/").status_code == 403


def test_another_restaurants_manager_gets_404(restaurant, outsider_api, endpoint):
    assert outsider_api.get(base(restaurant)).status_code == 404
    assert outsider_api.post(f"{base(restaurant)}{endpoint.pk}/rotate-secret/").status_code == 404


def test_an_owner_manages_endpoints(restaurant, owner_api):
    assert owner_api.post(base(restaurant), NEW, format="json").status_code == 201


# --- The integrations page ---


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_is_for_managers_and_linked_from_their_home(manager_user, restaurant, endpoint):
    webhook_endpoint_send_test(endpoint=endpoint)
    client = page_client(manager_user)
    page = client.get("/integrations/")
    assert page.status_code == 200 and b"CRM" in page.content and b"webhook.test" in page.content
    assert b'href="/integrations/"' in client.get("/").content
    # The buttons' URLs, pressed by the manager (the personas below get 404 on these same URLs).
    for url in (f"/integrations/endpoints/{endpoint.pk}/test", f"/integrations/endpoints/{endpoint.pk}/enable"):
        assert client.post(url).status_code == 302
    replay = client.post(f"/integrations/deliveries/{OutboxEvent.objects.first().pk}/replay")
    assert replay.status_code == 302 and replay["Location"] == f"/integrations/?restaurant={restaurant.pk}"
    assert OutboxEvent.objects.count() == 2


@pytest.mark.parametrize("persona", ["host_user", "staff_user"])
def test_hosts_and_staff_cannot_reach_the_page_or_its_buttons(request, restaurant, endpoint, persona):
    client = page_client(request.getfixturevalue(persona))
    assert client.get("/integrations/").status_code == 403
    assert b'href="/integrations/"' not in client.get("/").content
    event = webhook_endpoint_send_test(endpoint=endpoint)
    assert client.post(f"/integrations/endpoints/{endpoint.pk}/test").status_code == 404
    assert client.post(f"/integrations/endpoints/{endpoint.pk}/enable").status_code == 404
    assert client.post(f"/integrations/deliveries/{event.pk}/replay").status_code == 404
    assert OutboxEvent.objects.count() == 1


def test_another_restaurants_manager_cannot_press_our_buttons(outsider_user, endpoint):
    client = page_client(outsider_user)
    assert client.post(f"/integrations/endpoints/{endpoint.pk}/test").status_code == 404
    assert client.get("/integrations/", {"restaurant": endpoint.restaurant_id}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in():
    response = Client().get("/integrations/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_costs_a_fixed_number_of_queries(manager_user, restaurant, endpoint, django_assert_max_num_queries):
    for _ in range(15):
        webhook_endpoint_send_test(endpoint=endpoint)
    client = page_client(manager_user)
    with django_assert_max_num_queries(12):
        assert client.get("/integrations/").status_code == 200


def inbox_event(restaurant, *, status) -> InboxEvent:
    return InboxEvent.objects.create(
        restaurant=restaurant, event_id=f"evt-{status}", event_type="check.closed", status=status, error="boom"
    )


def test_a_processed_inbox_event_is_not_replayed_and_the_manager_is_told_why(manager_user, restaurant):
    event = inbox_event(restaurant, status=InboxStatus.PROCESSED)
    client = page_client(manager_user)
    answer = client.post(f"/integrations/inbox/{event.pk}/replay", follow=True)
    assert answer.status_code == 200 and b"replaying it would apply it twice" in answer.content
    event.refresh_from_db()
    assert event.status == InboxStatus.PROCESSED and event.attempts == 0


@pytest.mark.parametrize("persona", ["host_user", "staff_user", "outsider_user"])
def test_only_the_restaurants_managers_replay_its_inbox(request, restaurant, persona):
    event = inbox_event(restaurant, status=InboxStatus.FAILED)
    client = page_client(request.getfixturevalue(persona))
    assert client.post(f"/integrations/inbox/{event.pk}/replay").status_code == 404
    event.refresh_from_db()
    assert event.status == InboxStatus.FAILED and event.attempts == 0
