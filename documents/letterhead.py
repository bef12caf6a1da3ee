"""The letterhead the printed forms carry, read from the Letterhead row the system administrator edits.

Until the row exists the forms fall back to the settings (INSTITUTION_NAME, the placeholder INSTITUTION_LOGO) and
the translated name of the centre, so a fresh installation still prints complete forms.
"""

import base64
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from weasyprint.urls import path2url

from .models import Letterhead

EMBLEM_TYPES = {"image/png", "image/jpeg"}
EMBLEM_MAX_BYTES = 512 * 1024


def emblem_data_uri(letterhead: Letterhead) -> str:
    encoded = base64.b64encode(bytes(letterhead.emblem)).decode("ascii")
    return f"data:{letterhead.emblem_type};base64,{encoded}"


def placeholder_emblem_url() -> str:
    return path2url(str(Path(settings.INSTITUTION_LOGO).resolve()))


@dataclass(frozen=True)
class PrintedLetterhead:
    institution: str
    institution_other: list[str]
    centre: str
    address: str
    contacts: str
    emblem_url: str
    addressee: str
    form_code: str


def _contacts(letterhead: Letterhead) -> str:
    parts = [
        _("tel. %(phone)s") % {"phone": letterhead.phone} if letterhead.phone else "",
        letterhead.email,
        letterhead.website,
    ]
    return " · ".join(part for part in parts if part)


def _fallback(language: str) -> PrintedLetterhead:
    names = settings.INSTITUTION_NAME
    return PrintedLetterhead(
        institution=names.get(language) or names["kk"],
        institution_other=[],
        centre=_("Inclusive Education Support Centre"),
        address="",
        contacts="",
        emblem_url=placeholder_emblem_url(),
        addressee=_("To the head of the Inclusive Education Support Centre"),
        form_code="",
    )


def printed_letterhead(language: str, document_type: str = "") -> PrintedLetterhead:
    """The letterhead in `language` (run inside translation.override(language)), with the form code of
    `document_type`. The institution's name is also given in the other two of kk, ru and en, as Kazakh forms
    print it."""
    letterhead = Letterhead.objects.first()
    if letterhead is None:
        return _fallback(language)
    others = [code for code in ("kk", "ru", "en") if code != language]
    return PrintedLetterhead(
        institution=letterhead.localized("institution_name", language),
        institution_other=[
            name for name in (getattr(letterhead, f"institution_name_{code}") for code in others) if name
        ],
        centre=letterhead.localized("centre_name", language),
        address=letterhead.localized("address", language),
        contacts=_contacts(letterhead),
        emblem_url=emblem_data_uri(letterhead) if letterhead.emblem else placeholder_emblem_url(),
        addressee=letterhead.localized("addressee", language),
        form_code=letterhead.form_code(document_type),
    )
