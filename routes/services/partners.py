"""Writes of the register of external organisations and of the letters to them about a case (§5.2 e).

The register is kept by the centre. A letter is drafted by the centre staff working on the case, edited while it
is a draft, and sent: sending gives it the next outgoing number (documents numbering, its own series) and registers
it as a document, whose PDF is rendered on the letterhead after the commit and filed in the student's personal
file. When the organisation answers, the reply's date and number are recorded. Both moves go through
audit.workflow.move() (PARTNER_LETTER_ALLOWED).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.workflow import move
from documents.models import DocumentType
from documents.services import next_registration_number, register_document
from inclusion_centre.accounts.models import User
from inclusion_centre.history import acting_as
from students.models import Application

from ..models import ContactPerson, Organisation, PartnerLetter
from ..permissions import partners as permissions
from ..workflow import PARTNER_LETTER_ALLOWED

PL = PartnerLetter.Status
ORGANISATION_FIELDS = ("kind", "name", "address", "phone", "email", "notes")
CONTACT_FIELDS = ("full_name", "position", "phone", "email")


def _require_register(actor: User) -> None:
    if not permissions.can_keep_register(actor):
        raise PermissionDenied


@transaction.atomic
def organisation_save(*, actor: User, organisation: Organisation | None = None, **values) -> Organisation:
    """Add an organisation to the register, or change one. PermissionDenied unless centre staff."""
    _require_register(actor)
    organisation = organisation or Organisation()
    for name in ORGANISATION_FIELDS:
        if name in values:
            setattr(organisation, name, values[name].strip() if isinstance(values[name], str) else values[name])
    if not organisation.name:
        raise ValidationError({"name": _("Enter the name of the organisation.")}, code="required")
    with acting_as(actor):
        organisation.save()
    return organisation


@transaction.atomic
def contact_save(
    *, actor: User, organisation: Organisation, contact: ContactPerson | None = None, **values
) -> ContactPerson:
    """Add a contact person to an organisation, or change one. PermissionDenied unless centre staff."""
    _require_register(actor)
    contact = contact or ContactPerson(organisation=organisation)
    if contact.organisation_id != organisation.pk:
        raise PermissionDenied
    for name in CONTACT_FIELDS:
        if name in values:
            setattr(contact, name, values[name].strip())
    if not contact.full_name:
        raise ValidationError({"full_name": _("Enter the person's full name.")}, code="required")
    with acting_as(actor):
        contact.save()
    return contact


def _check_letter(*, organisation: Organisation, contact: ContactPerson | None, subject: str, body: str) -> None:
    problems = {}
    if contact is not None and contact.organisation_id != organisation.pk:
        problems["contact"] = _("Choose a person of the addressee organisation.")
    if not subject:
        problems["subject"] = _("Enter the subject of the letter.")
    if not body:
        problems["body"] = _("Write the text of the letter.")
    if problems:
        raise ValidationError(problems, code="invalid_letter")


@transaction.atomic
def letter_draft(
    *,
    actor: User,
    application: Application,
    organisation: Organisation,
    contact: ContactPerson | None,
    subject: str,
    body: str,
    letter_date: datetime.date,
) -> PartnerLetter:
    """Draft a letter about the case. PermissionDenied unless the actor works on the case; ValidationError when the
    person is not of the organisation or a text is empty."""
    if not permissions.can_write_letters(actor, application):
        raise PermissionDenied
    subject, body = subject.strip(), body.strip()
    _check_letter(organisation=organisation, contact=contact, subject=subject, body=body)
    with acting_as(actor):
        return PartnerLetter.objects.create(
            application=application,
            organisation=organisation,
            contact=contact,
            subject=subject,
            body=body,
            letter_date=letter_date,
            created_by=actor,
        )


@transaction.atomic
def letter_update(
    *,
    actor: User,
    letter: PartnerLetter,
    organisation: Organisation,
    contact: ContactPerson | None,
    subject: str,
    body: str,
    letter_date: datetime.date,
) -> PartnerLetter:
    """Change a draft. PermissionDenied unless the actor works on the case; ValidationError once it is sent."""
    if not permissions.can_write_letters(actor, letter.application):
        raise PermissionDenied
    locked = PartnerLetter.objects.select_for_update().get(pk=letter.pk)
    if locked.status != PL.DRAFT:
        raise ValidationError(_("The letter is sent: it can no longer be changed."), code="sent")
    subject, body = subject.strip(), body.strip()
    _check_letter(organisation=organisation, contact=contact, subject=subject, body=body)
    locked.organisation, locked.contact, locked.subject, locked.body = organisation, contact, subject, body
    locked.letter_date = letter_date
    with acting_as(actor):
        locked.save()
    return locked


@transaction.atomic
def letter_send(*, actor: User, letter: PartnerLetter) -> PartnerLetter:
    """Send a draft: the next outgoing number, the registered document (its PDF after the commit). IllegalMove
    when it was sent already (also by someone else a moment ago)."""
    if not permissions.can_write_letters(actor, letter.application):
        raise PermissionDenied

    def number(locked: PartnerLetter) -> None:
        locked.registration_number = next_registration_number(document_type=DocumentType.PARTNER_LETTER)[1]
        locked.sent_by = actor

    moved = move(instance=letter, to_status=PL.SENT, allowed=PARTNER_LETTER_ALLOWED, actor=actor, before_save=number)
    register_document(
        source=moved,
        document_type=DocumentType.PARTNER_LETTER,
        student=letter.application.student,
        number=moved.registration_number,
        registered_on=timezone.localdate(),
        actor=actor,
    )
    return moved


@transaction.atomic
def letter_answer(*, actor: User, letter: PartnerLetter, reply_date: datetime.date, reply_number: str) -> PartnerLetter:
    """Record the organisation's reply (its date and number). ValidationError on a date before the letter or in
    the future; IllegalMove unless the letter is sent and not answered yet."""
    if not permissions.can_write_letters(actor, letter.application):
        raise PermissionDenied
    reply_number = reply_number.strip()
    if reply_date > timezone.localdate():
        raise ValidationError({"reply_date": _("The date cannot be in the future.")}, code="date_future")
    if reply_date < letter.letter_date:
        raise ValidationError({"reply_date": _("The reply cannot be older than the letter.")}, code="date_before")

    def fill(locked: PartnerLetter) -> None:
        locked.reply_date, locked.reply_number = reply_date, reply_number

    comment = _("Reply No. %(number)s of %(date)s") % {"number": reply_number or "—", "date": f"{reply_date:%d.%m.%Y}"}
    return move(
        instance=letter,
        to_status=PL.ANSWERED,
        allowed=PARTNER_LETTER_ALLOWED,
        actor=actor,
        comment=comment,
        before_save=fill,
    )
