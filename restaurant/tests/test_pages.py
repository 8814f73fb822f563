"""The server-rendered pages: login, logout, home and the error pages."""

import pytest
from django.http import HttpResponse
from django.urls import include, path

from restaurant import urls as project_urls
from restaurant.models import Role
from restaurant.tests.factories import MembershipFactory, RestaurantFactory, UserFactory

pytestmark = pytest.mark.django_db


def _floor_dashboard(request):
    return HttpResponse("floor")


# A urlconf with one dashboard routed, as an app will do once it has one (used through pytest.mark.urls).
urlpatterns = [
    path("floor/", include(([path("", _floor_dashboard, name="dashboard")], "floor"))),
    *project_urls.urlpatterns,
]


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_page_renders_a_form_with_csrf_token_and_stylesheet(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="username"' in html and 'name="password"' in html
    assert "/static/css/app.css" in html


def test_login_with_right_password_redirects_to_home(client, manager_user):
    response = client.post("/accounts/login/", {"username": "manager", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_follows_next_to_a_local_page_only(client, manager_user):
    credentials = {"username": "manager", "password": "correct-horse-battery"}
    response = client.post("/accounts/login/?next=/api/docs/", credentials)
    assert response["Location"] == "/api/docs/"
    client.logout()
    response = client.post("/accounts/login/?next=https://evil.example.com/", credentials)
    assert response["Location"] == "/"


def test_login_with_wrong_password_rerenders_the_form_with_an_error(client, manager_user):
    response = client.post("/accounts/login/", {"username": "manager", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logged_in_user_opening_login_goes_home(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_home_greets_the_user_and_shows_restaurant_and_role(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Welcome, manager" in html
    assert "Home Bistro" in html
    assert '<span class="badge">Manager</span>' in html


def test_home_lists_every_restaurant_of_the_user_with_its_role(client, restaurant, other_restaurant):
    user = UserFactory(username="floater")
    MembershipFactory(user=user, restaurant=restaurant, role=Role.HOST)
    MembershipFactory(user=user, restaurant=other_restaurant, role=Role.OWNER)
    client.force_login(user)
    memberships = client.get("/").context["memberships"]
    assert [(r.name, role) for r, role in memberships] == [("Home Bistro", "Host"), ("Rival Grill", "Owner")]


def test_home_shows_none_of_another_restaurants_names(client, manager_user, outsider_user):
    client.force_login(outsider_user)
    html = client.get("/").content.decode()
    assert "Rival Grill" in html
    assert "Home Bistro" not in html


def test_user_without_restaurant_is_told_to_ask_a_manager(client):
    client.force_login(UserFactory(username="newcomer"))
    html = client.get("/").content.decode()
    assert "not a member of any restaurant yet" in html


def test_home_query_count_does_not_grow_with_the_dashboard_links(client, manager_user, django_assert_max_num_queries):
    client.force_login(manager_user)
    # session, user, restaurants, role in the one restaurant
    with django_assert_max_num_queries(4):
        assert client.get("/").status_code == 200


def test_home_links_api_docs_and_admin_only_for_staff_users(client, manager_user):
    client.force_login(manager_user)
    html = client.get("/").content.decode()
    assert 'href="/api/docs/"' in html
    assert 'href="/admin/"' not in html

    manager_user.is_staff = True
    manager_user.save()
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html


def test_dashboard_without_a_route_shows_as_not_installed(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/")
    floor = next(d for d in response.context["dashboards"] if d.title == "Floor")
    html = response.content.decode()
    if floor.url is None:
        assert "Not installed yet" in html
    else:
        assert f'href="{floor.url}"' in html


@pytest.mark.urls("restaurant.tests.test_pages")
def test_dashboard_appears_in_nav_and_home_once_its_app_routes_it(client, manager_user):
    client.force_login(manager_user)
    html = client.get("/").content.decode()
    assert html.count('href="/floor/"') == 2  # the nav link and the home card
    nav = client.get("/floor/")
    assert nav.status_code == 200


def test_logout_needs_a_post(client, manager_user):
    client.force_login(manager_user)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_every_page_shows_the_logout_form_with_csrf_token(client, manager_user):
    client.force_login(manager_user)
    html = client.get("/").content.decode()
    form_start = html.index('action="/accounts/logout/"')
    assert 'name="csrfmiddlewaretoken"' in html[form_start : form_start + 300]


def test_unknown_page_renders_the_friendly_404(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_stylesheet_is_served_without_collectstatic_when_debugging(client, settings, tmp_path):
    # `make run` serves static files through whitenoise's finders: no collectstatic, no STATIC_ROOT.
    settings.WHITENOISE_USE_FINDERS = True
    settings.STATIC_ROOT = str(tmp_path)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b".topbar" in b"".join(response.streaming_content)


def test_superuser_without_memberships_sees_every_restaurant_as_owner(client):
    RestaurantFactory(name="Solo Diner")
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    memberships = client.get("/").context["memberships"]
    assert [(r.name, role) for r, role in memberships] == [("Solo Diner", "Owner")]
