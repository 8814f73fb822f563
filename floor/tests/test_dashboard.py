"""The floor dashboard page: who may open it, which restaurant it shows, what it embeds for the script,
and a query count that does not grow with the floor."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from floor.models import WaitlistStatus
from floor.services.seating import table_seat
from floor.tests.factories import SectionFactory, TableFactory, WaitlistEntryFactory
from floor.tests.floor_setup import busy_floor, queries_to_get, server_on_floor
from restaurant.models import Role
from restaurant.tests.factories import MembershipFactory, RestaurantFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/floor/"


def embedded(response, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode())
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


def logged_in(client, user):
    client.force_login(user)
    return client


def test_a_host_opens_the_floor_of_their_restaurant(client, host_user, restaurant):
    section = SectionFactory(restaurant=restaurant, name="Main")
    table = TableFactory(section=section, label="12", x=40, y=60, width=80, height=50, shape="round", rotation=30)
    ana = server_on_floor(restaurant, section=section)
    table_seat(restaurant=restaurant, table=table, party_size=3, server=ana)
    WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=4)

    response = logged_in(client, host_user).get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Home Bistro" in page
    for heading in ("Floor map", "Seat next", "Waitlist", "Rotation", "Time clock", "Quote accuracy"):
        assert heading in page
    board = embedded(response, "floor-data")
    (row,) = board["tables"]
    assert (row["label"], row["state"], row["party_size"], row["server_id"]) == ("12", "occupied", 3, ana.pk)
    assert (row["x"], row["y"], row["width"], row["height"], row["shape"], row["rotation"]) == (
        40,
        60,
        80,
        50,
        "round",
        30,
    )
    assert [w["party_name"] for w in board["waitlist"]] == ["Garcia"]
    config = embedded(response, "floor-config")
    assert config["apiBase"] == f"/api/v1/restaurants/{restaurant.pk}"
    assert config["socketPath"] == f"/ws/floor/{restaurant.pk}/"
    # What a host may do comes from the server: no mode switch, no blocking.
    actions = board["actions"]
    assert (actions["switch_mode"], actions["run_floor"]) == (False, True)
    assert actions["table_states"]["available"] == ["reserved"]
    assert actions["table_states"]["blocked"] == []
    assert config["features"][2] == {"value": "high_top", "label": "High-top"}
    assert "csrftoken" in response.cookies  # the script's fetch() calls send it back


def test_the_page_embeds_which_tables_are_pushed_together(client, host_user, restaurant):
    section = SectionFactory(restaurant=restaurant, name="Main")
    pair = [TableFactory(section=section, label=f"W{n}", combinable_group="window") for n in (1, 2)]
    ana = server_on_floor(restaurant, section=section)
    table_seat(restaurant=restaurant, table=pair[0], joined_tables=pair[1:], party_size=7, server=ana)

    board = embedded(logged_in(client, host_user).get(URL), "floor-data")

    rows = {row["label"]: row for row in board["tables"]}
    assert (rows["W1"]["joined_with"], rows["W2"]["joined_with"]) == ([pair[1].pk], [pair[0].pk])
    assert {rows[label]["server_id"] for label in rows} == {ana.pk}


def test_table_features_come_from_the_table_and_the_add_party_form_offers_the_wishes(client, host_user, restaurant):
    section = SectionFactory(restaurant=restaurant)
    TableFactory(section=section, label="B1", is_booth=True, is_high_top=True, is_accessible=False)
    TableFactory(section=section, label="P1", is_patio=True)

    response = logged_in(client, host_user).get(URL)

    features = {row["label"]: row["features"] for row in embedded(response, "floor-data")["tables"]}
    assert features == {"B1": ["booth", "high_top"], "P1": ["patio", "accessible"]}
    page = response.content.decode()
    options = re.search(r'<select id="party-feature" name="feature">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="(\w*)">([^<]+)</option>', options) == [
        ("", "Any table"),
        ("booth", "Booth"),
        ("patio", "Patio"),
        ("high_top", "High-top"),
    ]


def test_the_page_loads_its_script_as_a_module_and_has_no_inline_script(client, host_user):
    page = logged_in(client, host_user).get(URL).content.decode()

    assert '<script type="module" src="/static/js/floor/main.js"></script>' in page
    # Only JSON data islands and script files: nothing a strict Content-Security-Policy would refuse.
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert 'type="application/json"' in tag or "src=" in tag, tag
    assert not re.search(r"\son[a-z]+=", page)


def test_the_floor_link_is_in_the_navigation(client, host_user):
    response = logged_in(client, host_user).get("/")

    assert 'href="/floor/"' in response.content.decode()


def test_managers_get_the_mode_switch_and_hosts_only_see_the_mode(client, manager_user, host_user, restaurant):
    manager_page = logged_in(client, manager_user).get(URL).content.decode()
    assert 'id="mode-select"' in manager_page

    client.logout()
    host_page = logged_in(client, host_user).get(URL).content.decode()
    assert 'id="mode-select"' not in host_page
    assert "Fair rotation" in host_page


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/floor/")


def test_staff_and_people_without_a_restaurant_may_not_open_the_floor(client, staff_user):
    assert logged_in(client, staff_user).get(URL).status_code == 403
    client.logout()
    assert logged_in(client, UserFactory(username="nobody")).get(URL).status_code == 403


def test_someone_with_several_restaurants_switches_between_them(client, host_user, restaurant):
    second = RestaurantFactory(name="Second Site")
    MembershipFactory(user=host_user, restaurant=second, role=Role.MANAGER)
    TableFactory(section=SectionFactory(restaurant=second), label="S1")
    logged_in(client, host_user)

    default = client.get(URL)
    chosen = client.get(f"{URL}?restaurant={second.pk}")

    assert embedded(default, "floor-config")["restaurantId"] == restaurant.pk  # "Home Bistro" comes first by name
    assert embedded(chosen, "floor-config")["restaurantId"] == second.pk
    assert [t["label"] for t in embedded(chosen, "floor-data")["tables"]] == ["S1"]
    assert embedded(chosen, "floor-data")["actions"]["switch_mode"] is True  # a manager there
    assert 'id="restaurant-switch"' in chosen.content.decode()


def test_a_restaurant_that_is_not_theirs_is_a_404(client, host_user, other_restaurant):
    logged_in(client, host_user)

    assert client.get(f"{URL}?restaurant={other_restaurant.pk}").status_code == 404
    assert client.get(f"{URL}?restaurant=abc").status_code == 404


def test_a_restaurant_where_they_are_only_staff_is_not_offered(client, host_user, other_restaurant):
    MembershipFactory(user=host_user, restaurant=other_restaurant, role=Role.STAFF)
    logged_in(client, host_user)

    assert client.get(f"{URL}?restaurant={other_restaurant.pk}").status_code == 404
    assert 'id="restaurant-switch"' not in client.get(URL).content.decode()


def test_the_quote_accuracy_panel_shows_todays_seated_parties(client, host_user, restaurant):
    now = timezone.now()
    for size, quoted, waited in ((2, 20, 30), (2, 10, 10), (5, 15, 25)):
        WaitlistEntryFactory(
            restaurant=restaurant,
            party_size=size,
            status=WaitlistStatus.SEATED,
            quoted_wait_minutes=quoted,
            added_at=now - timedelta(minutes=waited + 1),
            seated_at=now - timedelta(minutes=1),
        )

    response = logged_in(client, host_user).get(URL)

    page = response.content.decode()
    assert "3 seated parties" in page
    assert "quotes off by <strong>6.7 min</strong>" in page  # (10 + 0 + 10) / 3
    assert "parties waited 6.7 min longer than told" in page
    today, weeks = embedded(response, "quote-accuracy-data")
    assert (today["key"], today["parties"], weeks["key"], weeks["parties"]) == ("today", 3, "weeks", 3)
    assert [(b["label"], b["parties"], b["mean_quoted"], b["mean_actual"]) for b in today["by_party_size"]] == [
        ("1-2 guests", 2, 15.0, 20.0),
        ("5-6 guests", 1, 15.0, 25.0),
    ]
    assert sum(b["parties"] for b in today["by_hour"]) == 3
    # A canvas per chart for quote_accuracy.js, each with a label for screen readers.
    canvases = re.findall(r'<canvas data-accuracy-chart="(\w+)" role="img" aria-label="([^"]+)"', page)
    assert [key for key, _ in canvases] == ["by_party_size", "by_hour"]
    assert all("quoted and actual wait" in label for _, label in canvases)
    assert 'src="/static/js/vendor/chart.umd.min.js"' in page
    # The same figures as tables, for screen readers and browsers without JavaScript: one pair per period.
    assert page.count('data-accuracy-table="by_party_size"') == 2
    assert '<tr><th scope="row">5-6 guests</th><td>1</td><td>15</td><td>25</td></tr>' in page


def test_the_quote_accuracy_panel_says_so_when_nobody_was_quoted(client, host_user, restaurant):
    WaitlistEntryFactory(restaurant=restaurant, party_size=2, quoted_wait_minutes=15)  # still waiting

    response = logged_in(client, host_user).get(URL)

    page = response.content.decode()
    assert "No seated party with a quote today yet." in page
    assert "No seated party with a quote in the last four weeks yet." in page
    assert "data-accuracy-table" not in page
    assert [(p["parties"], p["by_party_size"], p["by_hour"]) for p in embedded(response, "quote-accuracy-data")] == [
        (0, [], []),
        (0, [], []),
    ]


def test_the_dashboard_costs_the_same_queries_for_10_or_60_tables(client, host_user, restaurant, other_restaurant):
    MembershipFactory(user=host_user, restaurant=other_restaurant, role=Role.HOST)
    busy_floor(restaurant, tables=10, servers=3)
    busy_floor(other_restaurant, tables=60, servers=15)
    logged_in(client, host_user)

    small = queries_to_get(client, f"{URL}?restaurant={restaurant.pk}")
    large = queries_to_get(client, f"{URL}?restaurant={other_restaurant.pk}")

    assert small == large
    assert small <= 25


def test_in_production_the_dashboard_modules_import_each_other_by_their_hashed_names(settings, tmp_path):
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    settings.STATIC_ROOT = str(tmp_path)
    # Only the dashboard's modules, as collectstatic finds them in production.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATICFILES_DIRS = [("js/floor", settings.BASE_DIR / "static" / "js" / "floor")]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "restaurant.staticfiles.StaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)

    main = staticfiles_storage.stored_name("js/floor/main.js")
    imports = re.findall(r'from "\./([^"]+)"', (tmp_path / main).read_text())
    assert "state.js" not in imports
    assert imports and all(re.fullmatch(r"[a-z-]+\.[0-9a-f]{12}\.js", name) for name in imports)
    assert all((tmp_path / "js/floor" / name).exists() for name in imports)
