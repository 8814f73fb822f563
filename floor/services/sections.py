"""The floor's setup: deleting a section."""

from django.db import transaction

from floor.exceptions import SectionInUse, WrongRestaurant
from floor.models import Section, Table


def section_delete(*, restaurant, section: Section) -> None:
    """Delete a section that has no tables (active or not); one that still has some is a 409 saying how
    many, so a table is never left without a section. The count and the delete see the same rows: the
    section is locked first, and a table created meanwhile would wait for it."""
    if section.restaurant_id != restaurant.pk:
        raise WrongRestaurant("section")
    with transaction.atomic():
        locked = Section.objects.select_for_update().get(pk=section.pk)
        tables = Table.objects.filter(section=locked).count()
        if tables:
            raise SectionInUse(
                f"Section {locked.name!r} still has {tables} table(s); move or delete them first.",
                details={"tables": tables},
            )
        locked.delete()
