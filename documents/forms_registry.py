"""The printed forms of registered documents: for each document type, its template and how to fill it.

Everything else (numbering, storing the PDF once with its SHA-256, versions, the verification page, the register,
the personal file, downloads) is generic and works for any type described here. Each app describes the forms of
its own documents and registers them from its `AppConfig.ready()`: the application in `students/pdf_forms.py`,
the conclusion, the route and the protocol in `routes/pdf_forms.py` (documents sits below both and imports
neither).

How to add a form (the route, the protocol):

1. Write `templates/documents/pdf/<type>.html`. It extends `documents/pdf/base.html` and fills
   `{% block content %}`; the base draws the institution's header, the title, number and date, the approval
   block (from the context's `approvals`) and the footer with the QR code and the verification link. It is
   rendered once per language inside `translation.override(language)`, so `{% translate %}` and the models'
   `.name` give the Kazakh or the Russian text.
2. Describe it in your app's `pdf_forms.py` and register it from the app's `AppConfig.ready()`:

       register_form(FormSpec(
           document_type=DocumentType.ROUTE,
           template="documents/pdf/route.html",
           context=route_context,                  # (route) -> dict with the content and "approvals"
           can_view=permissions.can_view_route,    # (user, route) -> bool: who may download its PDF
           previous=lambda route: route.previous_version,  # its registered document becomes superseded
           version=lambda route: route.version,
           source_url=lambda route: reverse("routes:route", args=[route.pk]),
           samples=lambda: Route.objects.filter(status=Route.Status.IN_FORCE).order_by("-pk")[:1],
       ))

   `approvals` is a list of `Approval`: for a route, one per lecturer agreement of each course section (name,
   position, date, "agreed" or "changes requested"), then the administration's approval.
3. Call `documents.services.register_document(...)` in the service that registers the source (approval,
   signing), inside its transaction: the PDF is rendered on the `documents` queue after the commit.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Approval:
    """One line of the approval block: a signature, an agreement or an approval and its outcome."""

    role: str
    name: str
    position: str
    date: datetime.date | datetime.datetime | None
    outcome: str
    comment: str = ""


@dataclass(frozen=True)
class SignatureLine:
    """One signature line of a form: who signs, in what capacity, when, and how it was signed.

    `key` names the line for whatever later attaches a signature to it ("applicant", "head", "specialist:<user
    id>", "lecturer:<section id>", "approver", "chair", "secretary"); `status` is the text printed under the line
    (signed in the centre's system, signed with a qualified signature, not signed yet). Every form draws each line
    with templates/documents/pdf/_signature.html.
    """

    key: str
    role: str
    name: str
    position: str
    date: datetime.date | datetime.datetime | None
    status: str = ""


def signature_of(key: str, role: str, user, date, status: str = "") -> SignatureLine:
    """A signature line of `user` (None: an empty line to be filled by hand)."""
    return SignatureLine(
        key=key,
        role=role,
        name=user.full_name if user is not None else "",
        position=position_of(user),
        date=date,
        status=status,
    )


def _no_previous(source: models.Model) -> models.Model | None:
    return None


def _first_version(source: models.Model) -> int:
    return 1


def _no_samples() -> Iterable[models.Model]:
    return []


def _no_signers(source: models.Model) -> list[tuple[str, object]]:
    return []


@dataclass(frozen=True)
class FormSpec:
    document_type: str
    template: str
    # (source) -> the template's context: the content, and "approvals" (a list of Approval). Runs in the language
    # being rendered, so lazy and localized values come out in that language.
    context: Callable[[models.Model], dict]
    # (user, source) -> whether the user may download the PDFs: the same people who may read the source.
    can_view: Callable[[object, models.Model], bool]
    # (source) -> the page of the source in the app, for links from the register; None when there is none.
    source_url: Callable[[models.Model], str] | None = None
    # (source) -> the earlier source whose registered document this one replaces (an earlier version).
    previous: Callable[[models.Model], models.Model | None] = _no_previous
    # (source) -> the version number the registered document carries.
    version: Callable[[models.Model], int] = _first_version
    # () -> sources to render as samples (render_sample_documents, bench/): registered ones from the demo data.
    samples: Callable[[], Iterable[models.Model]] = _no_samples
    # Model-level permission that lets a user open any source of this type (the register links to it for them).
    staff_permission: str = ""
    # (source) -> ids of the students a document about several of them concerns (a protocol), so that a download
    # appears in each one's "who opened my file"; None for a document of one student's file (`student` says it).
    subjects: Callable[[models.Model], Iterable[int]] | None = None
    # (source) -> [(SignatureRole value, user)]: every signature the form carries, from the recorded facts (the
    # applicant; the assessing specialists and the head; each agreeing lecturer and the approving official; the
    # chair and the secretary). Only these people may sign the registered document (documents.signatures).
    signers: Callable[[models.Model], list[tuple[str, object]]] = _no_signers


_FORMS: dict[str, FormSpec] = {}


def register_form(spec: FormSpec) -> FormSpec:
    """Add (or replace) the form of a document type."""
    _FORMS[spec.document_type] = spec
    return spec


def form_for(document_type: str) -> FormSpec:
    """The form of `document_type`; raises LookupError for a type that has none yet."""
    try:
        return _FORMS[document_type]
    except KeyError:
        raise LookupError(f"No printed form is registered for document type {document_type!r}.") from None


def registered_forms() -> list[FormSpec]:
    return list(_FORMS.values())


# --- Helpers for the forms' context functions ---------------------------------------------------------------


def position_of(user) -> str:
    """The person's position as the centre records it, or their roles."""
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.position:
        return profile.position
    return ", ".join(str(role.label) for role in user.roles)


def student_summary(student) -> dict:
    return {
        "name": student.user.full_name,
        "programme": str(student.programme),
        "group": str(student.group) if student.group_id else "",
        "year_of_study": student.year_of_study,
    }
