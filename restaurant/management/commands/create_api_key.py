"""Create an API client and print its key once: `create_api_key --restaurant 1 --name POS --scopes pos`.

The last line of output is a JSON object {"id", "key", "signing_secret"} for scripts; the key is
stored hashed and cannot be shown again."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from restaurant.models import ApiScope, Restaurant
from restaurant.services import api_client_create


class Command(BaseCommand):
    help = "Create an API key for a restaurant; prints the key once, as JSON on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--restaurant", required=True, type=int, help="Restaurant id.")
        parser.add_argument("--name", required=True, help="Unique per restaurant, e.g. 'Main POS'.")
        parser.add_argument(
            "--scopes",
            default="",
            help=f"Comma-separated, any of: {', '.join(ApiScope.values)}. Without scopes the key only reads.",
        )

    def handle(self, *args, **options):
        restaurant = Restaurant.objects.filter(pk=options["restaurant"]).first()
        if restaurant is None:
            raise CommandError(f"No restaurant with id {options['restaurant']}.")
        scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
        try:
            issued = api_client_create(restaurant=restaurant, name=options["name"], scopes=scopes)
        except ValidationError as exc:
            messages = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())
            raise CommandError(messages) from exc
        self.stdout.write(
            f"Created API client {issued.client.name!r} for {restaurant.name} with scopes "
            f"{', '.join(issued.client.scopes) or '(read-only)'}. The key is shown only now; store it safely."
        )
        self.stdout.write(json.dumps(issued.as_dict()))
