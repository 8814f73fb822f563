"""API keys: created once by `create_api_key` (or the service), stored hashed, sent as `Api-Key <key>`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from restaurant.models import ApiClient, hash_api_key
from restaurant.services import api_client_create


def run_create_api_key(*args) -> list[str]:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.mark.django_db
def test_the_command_prints_id_key_and_signing_secret_as_json_on_its_last_line(restaurant):
    lines = run_create_api_key(
        "--restaurant", str(restaurant.pk), "--name", "Main POS", "--scopes", "pos,frontend,camera"
    )
    issued = json.loads(lines[-1])
    assert set(issued) == {"id", "key", "signing_secret"}
    assert issued["signing_secret"].startswith("whsec_")
    client = ApiClient.objects.get(pk=issued["id"])
    assert client.restaurant == restaurant
    assert client.scopes == ["camera", "frontend", "pos"]
    # Stored hashed: the clear key is nowhere in the row.
    assert client.key_hash == hash_api_key(issued["key"])
    assert issued["key"] not in (client.key_hash, client.key_prefix)
    response = key_client(issued["key"]).get(f"/api/v1/restaurants/{restaurant.pk}/")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--restaurant", "987654", "--name", "X"], "No restaurant with id 987654"),
        (["--restaurant", "{rid}", "--name", "X", "--scopes", "pos,kitchen"], "unknown scopes ['kitchen']"),
        (["--restaurant", "{rid}", "--name", "   "], "a name is required"),
    ],
)
def test_the_command_refuses_bad_input_with_a_clear_error(restaurant, args, message):
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        run_create_api_key(*[arg.format(rid=restaurant.pk) for arg in args])
    assert not ApiClient.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_a_duplicate_name_in_the_same_restaurant(restaurant, other_restaurant):
    run_create_api_key("--restaurant", str(restaurant.pk), "--name", "POS")
    with pytest.raises(CommandError, match="already has an API client named 'POS'"):
        run_create_api_key("--restaurant", str(restaurant.pk), "--name", "POS")
    run_create_api_key("--restaurant", str(other_restaurant.pk), "--name", "POS")  # another restaurant may
    assert ApiClient.objects.count() == 2


@pytest.mark.django_db
def test_a_key_without_scopes_reads_only(restaurant):
    lines = run_create_api_key("--restaurant", str(restaurant.pk), "--name", "Reader")
    client = key_client(json.loads(lines[-1])["key"])
    url = f"/api/v1/restaurants/{restaurant.pk}/menu-items/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Tea", "category": "drink", "price": "2.00"}).status_code == 403


def _assert_401(response, message_part: str) -> None:
    assert response.status_code == 401, response.content
    error = response.json()["error"]
    assert error["code"] == "authentication_failed"
    assert message_part in error["message"]
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.django_db
def test_a_revoked_key_gets_401(restaurant):
    issued = api_client_create(restaurant=restaurant, name="Old POS", scopes=["pos"])
    client = key_client(issued.key)
    assert client.get("/api/v1/restaurants/").status_code == 200
    ApiClient.objects.filter(pk=issued.client.pk).update(active=False)
    _assert_401(client.get("/api/v1/restaurants/"), "revoked")


@pytest.mark.django_db
def test_a_wrong_key_with_a_real_prefix_gets_401(restaurant):
    issued = api_client_create(restaurant=restaurant, name="POS", scopes=["pos"])
    tampered = issued.key[:-4] + ("AAAA" if not issued.key.endswith("AAAA") else "BBBB")
    _assert_401(key_client(tampered).get("/api/v1/restaurants/"), "Invalid")


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["short", "x" * 43, ""])
def test_unknown_or_malformed_keys_get_401(restaurant, key):
    response = key_client(key).get("/api/v1/restaurants/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("authentication_failed", "not_authenticated")


@pytest.mark.django_db
def test_another_scheme_in_the_authorization_header_is_not_taken_for_a_key(restaurant):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer something")
    response = client.get("/api/v1/restaurants/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_a_key_records_when_it_was_last_used(restaurant):
    issued = api_client_create(restaurant=restaurant, name="POS", scopes=[])
    assert issued.client.last_used_at is None
    key_client(issued.key).get("/api/v1/restaurants/")
    issued.client.refresh_from_db()
    assert issued.client.last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_api_clients_created_at_once_with_one_name_leave_one_and_a_clear_error(using_postgres, restaurant):
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    from restaurant.models import ApiClient
    from restaurant.services import api_client_create

    barrier = threading.Barrier(2)
    outcomes = []

    def create():
        try:
            barrier.wait()
            api_client_create(restaurant=restaurant, name="Till", scopes=["pos"])
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.message_dict["name"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ApiClient.objects.filter(restaurant=restaurant, name="Till").count() == 1
    assert outcomes.count("created") == 1
    assert any("already has an API client named 'Till'" in outcome for outcome in outcomes)


@pytest.mark.django_db(transaction=True)
def test_a_name_committed_between_the_check_and_the_save_gives_the_same_error_on_name(using_postgres, restaurant):
    """The race of the test above, made deterministic: another request commits the same name right after
    this one's duplicate check has run. Model validation used to catch it with the generic `__all__`
    message; the database must be the one to decide, and the caller told about `name` as usual."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    from restaurant.models import ApiClient
    from restaurant.services import api_client_create

    competitor = {}

    def commit_the_same_name():
        try:
            competitor["issued"] = api_client_create(restaurant=restaurant, name="Till", scopes=["pos"])
        finally:
            connection.close()

    def after_the_duplicate_check(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not competitor and 'FROM "restaurant_apiclient"' in sql and '"name"' in sql:
            thread = threading.Thread(target=commit_the_same_name)
            competitor["started"] = True
            thread.start()
            thread.join(timeout=30)
        return result

    with connection.execute_wrapper(after_the_duplicate_check), pytest.raises(ValidationError) as error:
        api_client_create(restaurant=restaurant, name="Till", scopes=["pos"])

    assert "issued" in competitor
    assert error.value.message_dict == {"name": ["this restaurant already has an API client named 'Till'"]}
    assert ApiClient.objects.filter(restaurant=restaurant, name="Till").count() == 1
