"""Writes on the tenant: API clients and their keys (here); the webhook inbox in `restaurant.services.inbox`,
outgoing webhooks in `restaurant.services.webhooks`."""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from restaurant.models import API_KEY_PREFIX_LENGTH, ApiClient, ApiScope, Restaurant, hash_api_key, new_webhook_secret


@dataclass(frozen=True)
class IssuedKey:
    """A new API client with its key in clear: shown once, never stored."""

    client: ApiClient
    key: str

    def as_dict(self) -> dict:
        return {"id": self.client.pk, "key": self.key, "signing_secret": self.client.signing_secret}


def _name_taken(name: str) -> ValidationError:
    return ValidationError({"name": f"this restaurant already has an API client named {name!r}"})


@transaction.atomic
def api_client_create(*, restaurant: Restaurant, name: str, scopes: list[str]) -> IssuedKey:
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown:
        raise ValidationError({"scopes": f"unknown scopes {unknown}; use {', '.join(ApiScope.values)}"})
    if not name.strip():
        raise ValidationError({"name": "a name is required"})
    if ApiClient.objects.filter(restaurant=restaurant, name=name).exists():
        raise _name_taken(name)
    while True:
        key = secrets.token_urlsafe(32)
        if not ApiClient.objects.filter(key_prefix=key[:API_KEY_PREFIX_LENGTH]).exists():
            break
    client = ApiClient(
        restaurant=restaurant,
        name=name,
        scopes=sorted(set(scopes)),
        key_prefix=key[:API_KEY_PREFIX_LENGTH],
        key_hash=hash_api_key(key),
        # Standard base64 after whsec_ (what the spec's libraries and `base64 -d` decode; URL-safe
        # characters would be dropped by them).
        signing_secret=new_webhook_secret(),
    )
    # Uniqueness is left to the check above and to the database below. Model validation would query it a
    # third time: a request that passed the check while another was committing the same name would then
    # fail there, with the model's generic "__all__" message instead of the one about `name`.
    client.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:
        # Two requests creating the same name at once both passed the check above; the unique constraint
        # picked one, and the other is told so like any duplicate.
        if ApiClient.objects.filter(restaurant=restaurant, name=name).exists():
            raise _name_taken(name) from None
        raise
    return IssuedKey(client=client, key=key)
