"""Floor admin: tables inside sections, state shown but changed only through the floor services,
read-only history, the waitlist for hosts, and check lines inside visits."""

import pytest

from floor.models import Section, Table, TableStateChange, Visit, WaitlistEntry
from floor.tests.factories import MenuItemFactory, SectionFactory, TableFactory, VisitFactory
from restaurant.admin_scoping import RecentRowsFormSet
from restaurant.tests.admin_support import FAST_HASHERS, admin_client, admin_url, form_data


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def manager(manager_user):
    return admin_client(manager_user)


def _add_table_rows(data: dict, *labels: str) -> dict:
    data["tables-TOTAL_FORMS"] = str(len(labels))
    for i, label in enumerate(labels):
        data.update(
            {
                f"tables-{i}-label": label,
                f"tables-{i}-min_seats": "2",
                f"tables-{i}-max_seats": "4",
                f"tables-{i}-is_accessible": "on",
                f"tables-{i}-shape": "round",
                f"tables-{i}-x": "10",
                f"tables-{i}-y": "20",
                f"tables-{i}-width": "60",
                f"tables-{i}-height": "60",
                f"tables-{i}-rotation": "0",
                f"tables-{i}-active": "on",
            }
        )
    return data


def test_new_section_gets_its_tables_inline_in_the_managers_restaurant(manager, restaurant):
    url = admin_url(Section, "add")
    response = manager.post(url, _add_table_rows(form_data(manager.get(url), name="Patio"), "P1", "P2"))
    assert response.status_code == 302
    section = Section.objects.get(name="Patio")
    assert section.restaurant == restaurant
    assert sorted(section.tables.values_list("label", "restaurant_id")) == [
        ("P1", restaurant.pk),
        ("P2", restaurant.pk),
    ]


def test_a_label_already_used_in_the_restaurant_is_a_form_error_not_a_crash(manager, restaurant):
    TableFactory(section=SectionFactory(restaurant=restaurant), label="T1")
    url = admin_url(Section, "add")
    response = manager.post(url, _add_table_rows(form_data(manager.get(url), name="Bar"), "T1"))
    assert response.status_code == 200
    assert "already exists" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert not Section.objects.filter(name="Bar").exists()


def test_a_table_cannot_be_put_in_another_restaurants_section(manager, other_restaurant):
    foreign = SectionFactory(restaurant=other_restaurant)
    url = admin_url(Table, "add")
    response = manager.post(url, form_data(manager.get(url), section=foreign.pk, label="X1"))
    assert response.status_code == 200
    assert "section" in response.context["adminform"].form.errors
    assert not Table.objects.exists()


def test_table_state_is_shown_but_only_changed_by_the_floor_services(manager, restaurant):
    table = TableFactory(section=SectionFactory(restaurant=restaurant))
    url = admin_url(Table, "change", table.pk)
    page = manager.get(url)
    assert "state" not in page.context["adminform"].form.fields
    assert "Available" in page.content.decode()
    assert manager.post(url, form_data(page, state="blocked", label="T99")).status_code == 302
    table.refresh_from_db()
    assert (table.label, table.state) == ("T99", "available")


def test_block_action_goes_through_the_floor_service_and_writes_history(manager, manager_user, restaurant):
    table = TableFactory(section=SectionFactory(restaurant=restaurant))
    manager.post(admin_url(Table, "changelist"), {"action": "block", "_selected_action": [table.pk]})
    table.refresh_from_db()
    assert table.state == "blocked"
    change = TableStateChange.objects.get(table=table)
    assert (change.from_state, change.to_state, change.actor) == ("available", "blocked", manager_user)


def test_table_page_shows_only_the_latest_history_read_only(manager, restaurant):
    table = TableFactory(section=SectionFactory(restaurant=restaurant))
    for i in range(RecentRowsFormSet.max_rows + 5):
        TableStateChange.objects.create(
            restaurant=restaurant, table=table, to_state="reserved" if i % 2 else "available", source="host"
        )
    page = manager.get(admin_url(Table, "change", table.pk))
    (history,) = page.context["inline_admin_formsets"]
    assert history.formset.initial_form_count() == RecentRowsFormSet.max_rows
    assert not history.has_change_permission and not history.has_add_permission


def test_host_keeps_the_waitlist_and_only_looks_at_tables(host_user, restaurant):
    table = TableFactory(section=SectionFactory(restaurant=restaurant))
    host = admin_client(host_user)
    url = admin_url(WaitlistEntry, "add")
    page = host.get(url)
    assert host.post(url, form_data(page, party_name="Okafor", party_size=4)).status_code == 302
    assert WaitlistEntry.objects.get().restaurant == restaurant

    assert host.get(admin_url(Table, "change", table.pk)).status_code == 200
    assert host.post(admin_url(Table, "change", table.pk), {"label": "H1"}).status_code == 403
    assert host.get(admin_url(Table, "add")).status_code == 403
    table.refresh_from_db()
    assert table.label != "H1"


def test_visit_lines_refuse_another_restaurants_menu_item(manager, restaurant, other_restaurant):
    visit = VisitFactory(table=TableFactory(section=SectionFactory(restaurant=restaurant)))
    ours = MenuItemFactory(restaurant=restaurant)
    theirs = MenuItemFactory(restaurant=other_restaurant)
    url = admin_url(Visit, "change", visit.pk)
    data = form_data(manager.get(url))
    line = {"items-TOTAL_FORMS": "1", "items-0-name": "Soup", "items-0-quantity": "2", "items-0-unit_price": "7.50"}
    line.update(
        {"items-0-category": "appetizer", "items-0-ordered_at_0": "2026-11-30", "items-0-ordered_at_1": "19:00"}
    )

    refused = manager.post(url, {**data, **line, "items-0-menu_item": str(theirs.pk)})
    assert refused.status_code == 200
    assert not visit.items.exists()

    accepted = manager.post(url, {**data, **line, "items-0-menu_item": str(ours.pk)})
    assert accepted.status_code == 302
    assert [(item.menu_item, item.quantity) for item in visit.items.all()] == [(ours, 2)]


def test_history_is_never_deleted_by_itself_but_goes_with_its_table(manager, restaurant):
    table = TableFactory(section=SectionFactory(restaurant=restaurant))
    change = TableStateChange.objects.create(restaurant=restaurant, table=table, to_state="reserved", source="host")
    assert manager.get(admin_url(TableStateChange, "delete", change.pk)).status_code == 403
    assert "delete_selected" not in manager.get(admin_url(TableStateChange, "changelist")).content.decode()
    assert "deletelink" not in manager.get(admin_url(TableStateChange, "change", change.pk)).content.decode()

    assert manager.post(admin_url(Table, "delete", table.pk), {"post": "yes"}).status_code == 302
    assert not TableStateChange.objects.exists()
