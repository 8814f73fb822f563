"""Project package and tenant app: settings, urls, Celery app, restaurants, memberships, API clients."""

from restaurant.celery import app as celery_app

__all__ = ["celery_app"]
