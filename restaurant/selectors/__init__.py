"""Who may see which restaurant, in what role. Every API view, dashboard and admin page asks here.
The integrations page reads in `restaurant.selectors.webhooks`."""

from django.db.models import QuerySet

from restaurant.models import MANAGING_ROLES, ApiClient, Membership, Restaurant, Role


def api_client_of(user) -> ApiClient | None:
    """The API client behind a request authenticated by key, else None."""
    return getattr(user, "client", None)


def restaurants_for(user) -> QuerySet[Restaurant]:
    """Restaurants a user (or API-key caller) may see. Superusers see all."""
    client = api_client_of(user)
    if client is not None:
        return Restaurant.objects.filter(pk=client.restaurant_id)
    if not user or not user.is_authenticated:
        return Restaurant.objects.none()
    if user.is_superuser:
        return Restaurant.objects.all()
    return Restaurant.objects.filter(memberships__user=user).distinct()


def role_in(user, restaurant) -> str | None:
    """The caller's role in a restaurant: a Membership role, 'api' for a key, None for no access."""
    client = api_client_of(user)
    if client is not None:
        return "api" if client.restaurant_id == restaurant.pk else None
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.OWNER
    membership = Membership.objects.filter(user=user, restaurant=restaurant).only("role").first()
    return membership.role if membership else None


def managed_restaurants(user) -> QuerySet[Restaurant]:
    """Restaurants where the user is owner or manager."""
    if user.is_superuser:
        return Restaurant.objects.all()
    return Restaurant.objects.filter(memberships__user=user, memberships__role__in=MANAGING_ROLES).distinct()


def default_restaurant_for(user) -> Restaurant | None:
    """The restaurant a dashboard opens on: the user's first membership."""
    return restaurants_for(user).order_by("id").first()
