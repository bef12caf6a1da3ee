"""What every e-mail to a person shares: the subject's prefix in the recipient's language."""

from django.conf import settings


def subject_prefix(language: str | None) -> str:
    """The subject prefix for a reader of `language`: "[Инклюзия орталығы] " in Kazakh, "[Центр инклюзии] " in
    Russian (settings.CENTRE_SHORT_NAME)."""
    names = settings.CENTRE_SHORT_NAME
    return f"[{names.get(language or '') or names[settings.LANGUAGE_CODE]}] "
