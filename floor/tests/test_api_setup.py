"""Floor setup over the API: sections, tables and menu items (filters, validation, paging, query counts)."""

from decimal import Decimal

import pytest

from floor.api.serializers import TABLE_FEATURES
from floor.models import MenuItem, Table, TableState
from floor.tests.factories import MenuItemFactory, SectionFactory, TableFactory


@pytest.fixture
def section(main):
    return main


@pytest.mark.django_db
def test_a_manager_creates_a_table_with_features_and_geometry(manager_api, base, section):
    response = manager_api.post(
        f"{base}/tables/",
        {
            "label": "B1",
            "section": section.pk,
            "min_seats": 2,
            "max_seats": 6,
            "features": ["booth", "high_top"],
            "x": 120,
            "y": 40.5,
            "width": 80,
            "height": 50,
            "shape": "round",
            "rotation": 45,
            "combinable_group": "window",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "available"
    assert sorted(body["features"]) == ["booth", "high_top"]
    table = Table.objects.get(pk=body["id"])
    assert (table.is_booth, table.is_high_top, table.is_patio, table.is_accessible) == (True, True, False, False)
    assert (table.x, table.y, table.shape, table.rotation) == (120, 40.5, "round", 45)


def test_the_api_feature_names_match_the_models_flags():
    table = Table(is_booth=True, is_patio=True, is_high_top=True, is_accessible=True)
    assert sorted(table.features) == sorted(TABLE_FEATURES)


@pytest.mark.django_db
def test_state_is_read_only_through_setup(manager_api, base, section):
    table = TableFactory(section=section)
    response = manager_api.patch(f"{base}/tables/{table.pk}/", {"state": "blocked", "label": "T-renamed"})
    assert response.status_code == 200
    table.refresh_from_db()
    assert table.state == TableState.AVAILABLE
    assert table.label == "T-renamed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"min_seats": 6, "max_seats": 2}, "max_seats"),
        ({"min_seats": 0}, "min_seats"),
        ({"label": "DUP"}, "label"),
        ({"features": ["jacuzzi"]}, "features"),
        ({"x": 1e9}, "x"),
        ({"width": 0}, "width"),
        ({"shape": "hexagon"}, "shape"),
        ({"section": 999999}, "section"),
        ({"section": "abc"}, "section"),
        ({"label": ""}, "label"),
        ({"label": "bad\x00label"}, "label"),
    ],
)
def test_invalid_tables_are_a_400_naming_the_field_and_write_nothing(manager_api, base, section, payload, field):
    TableFactory(section=section, label="DUP")
    response = manager_api.post(f"{base}/tables/", {"label": "NEW", "section": section.pk, **payload})
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert Table.objects.count() == 1


@pytest.mark.django_db
def test_an_edit_that_would_break_the_seat_range_is_a_400(manager_api, base, section):
    table = TableFactory(section=section, min_seats=2, max_seats=4)
    response = manager_api.patch(f"{base}/tables/{table.pk}/", {"min_seats": 5})
    assert response.status_code == 400
    assert "max_seats" in response.json()["error"]["details"]


@pytest.mark.django_db
def test_tables_filter_by_section_state_party_size_and_feature(manager_api, base, restaurant, section):
    patio = SectionFactory(restaurant=restaurant, name="Patio")
    two = TableFactory(section=section, label="M2", min_seats=1, max_seats=2)
    six = TableFactory(section=section, label="M6", min_seats=4, max_seats=6, is_booth=True)
    out = TableFactory(section=patio, label="P4", min_seats=2, max_seats=4, state=TableState.DIRTY)

    def labels(query: str) -> list[str]:
        response = manager_api.get(f"{base}/tables/?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["label"] for row in response.json()["results"])

    assert labels(f"section={patio.pk}") == [out.label]
    assert labels("state=dirty") == [out.label]
    assert labels("party_size=5") == [six.label]
    assert labels("party_size=2") == sorted([two.label, out.label])
    assert labels("feature=booth") == [six.label]
    assert labels(f"section={section.pk}&party_size=1") == [two.label]


@pytest.mark.django_db
def test_tables_are_ordered_and_paginated(manager_api, base, section):
    for index in range(5):
        TableFactory(section=section, label=f"T{index}", max_seats=index + 1)
    page = manager_api.get(f"{base}/tables/?ordering=-max_seats&page_size=2").json()
    assert page["count"] == 5
    assert [row["label"] for row in page["results"]] == ["T4", "T3"]
    assert "page=2" in page["next"]
    last = manager_api.get(f"{base}/tables/?ordering=-max_seats&page_size=2&page=3").json()
    assert [row["label"] for row in last["results"]] == ["T0"]


@pytest.mark.django_db
def test_listing_tables_costs_the_same_queries_for_many_tables(
    manager_api, base, section, django_assert_max_num_queries
):
    for index in range(30):
        TableFactory(section=section, label=f"Q{index}")
    # session, user, restaurant, membership, count, page
    with django_assert_max_num_queries(6):
        response = manager_api.get(f"{base}/tables/")
    assert response.json()["count"] == 30


@pytest.mark.django_db
def test_section_colour_must_be_hex_and_names_are_unique_per_restaurant(manager_api, base, section, other_restaurant):
    bad = manager_api.post(f"{base}/sections/", {"name": "Bar", "color": "red"})
    assert bad.status_code == 400 and "color" in bad.json()["error"]["details"]
    dup = manager_api.post(f"{base}/sections/", {"name": "Main"})
    assert dup.status_code == 400 and "name" in dup.json()["error"]["details"]
    SectionFactory(restaurant=other_restaurant, name="Bar")
    ok = manager_api.post(f"{base}/sections/", {"name": "Bar", "color": "#AA00cc"})
    assert ok.status_code == 201  # another restaurant's "Bar" is no conflict


@pytest.mark.django_db
def test_an_empty_section_can_be_deleted(manager_api, base, section):
    assert manager_api.delete(f"{base}/sections/{section.pk}/").status_code == 204


@pytest.mark.django_db
def test_sections_filter_by_active_and_order_by_sort_order(manager_api, base, restaurant):
    SectionFactory(restaurant=restaurant, name="Z first", sort_order=0)
    SectionFactory(restaurant=restaurant, name="A second", sort_order=1)
    SectionFactory(restaurant=restaurant, name="Closed", active=False)
    rows = manager_api.get(f"{base}/sections/?active=true").json()["results"]
    assert [row["name"] for row in rows] == ["Z first", "A second"]


@pytest.mark.django_db
def test_menu_items_filter_by_category_and_active(manager_api, base, restaurant):
    MenuItemFactory(restaurant=restaurant, name="Cola", category="drink")
    MenuItemFactory(restaurant=restaurant, name="Old cola", category="drink", active=False)
    MenuItemFactory(restaurant=restaurant, name="Steak", category="entree")
    rows = manager_api.get(f"{base}/menu-items/?category=drink&active=true").json()["results"]
    assert [row["name"] for row in rows] == ["Cola"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"price": "-1.00"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "123456789.00"}, "price"),
        ({"category": "snack"}, "category"),
        ({"pos_item_id": "P-1"}, "pos_item_id"),
        ({"name": "Cola"}, "name"),
    ],
)
def test_invalid_menu_items_are_a_400_naming_the_field(manager_api, base, restaurant, payload, field):
    MenuItemFactory(restaurant=restaurant, name="Cola", pos_item_id="P-1")
    response = manager_api.post(
        f"{base}/menu-items/", {"name": "Lemonade", "category": "drink", "price": "3.00", **payload}
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert MenuItem.objects.count() == 1


@pytest.mark.django_db
def test_a_pos_key_keeps_the_menu_in_sync(make_key_api, base, restaurant):
    pos = make_key_api(restaurant, scopes=["pos"])
    created = pos.post(
        f"{base}/menu-items/", {"name": "IPA", "category": "alcohol", "price": "7.00", "pos_item_id": "sku-9"}
    )
    assert created.status_code == 201
    found = pos.get(f"{base}/menu-items/?pos_item_id=sku-9").json()["results"]
    assert [row["id"] for row in found] == [created.json()["id"]]
    pos.patch(f"{base}/menu-items/{found[0]['id']}/", {"price": "7.50"})
    assert MenuItem.objects.get(pos_item_id="sku-9").price == Decimal("7.50")
