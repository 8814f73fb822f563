"""Filter building blocks shared by every app's filtersets."""

from django import forms
from django_filters import rest_framework as filters

# Ids and counts in filters: whole numbers only (`?section=1.5` or `abc` is a 400, not a silent cast).
MAX_ID = 2**63 - 1


class IntegerFilter(filters.NumberFilter):
    """A whole-number filter (django-filter's NumberFilter takes decimals)."""

    field_class = forms.IntegerField
