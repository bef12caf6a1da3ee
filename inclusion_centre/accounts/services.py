"""Writes on users and roles. Each service is atomic and records who acted on the history rows it writes."""

from django.db import transaction

from inclusion_centre.history import acting_as

from .models import User


@transaction.atomic
def user_set_language(*, user: User, language: str, actor: User | None = None) -> User:
    with acting_as(actor or user):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def user_set_display(*, user: User, large_text: bool, high_contrast: bool, actor: User | None = None) -> User:
    """Save the user's display preferences (large text, high contrast); they apply on every page from then on."""
    with acting_as(actor or user):
        user.large_text = large_text
        user.high_contrast = high_contrast
        user.save(update_fields=["large_text", "high_contrast"])
    return user
