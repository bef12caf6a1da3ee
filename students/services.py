"""Every write on applications. Each service is atomic, checks that the actor may act, records the acting user
on the history rows it writes, and queues notifications for after the commit."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.models import AuditChainEntry
from audit.services import chain_append, record_status_change
from audit.workflow import move
from documents.models import DocumentType, RegisteredDocument
from documents.selectors import documents_of_source
from documents.services import (
    document_change_status,
    document_record_incoming,
    next_registration_number,
    register_document,
)
from documents.uploads import check_upload
from inclusion_centre.accounts.grants import grant
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as

from . import permissions
from .models import Application, ConditionOption, Consent, ConsentText, NeedCategory, Student, SupportingDocument
from .selectors import applicant_side, merge_targets, representatives_of
from .workflow import ALLOWED

S = Application.Status


def _case_url(application: Application) -> str:
    return reverse("students:application_detail", args=[application.public_id])


def _centre_heads():
    return User.objects.filter(groups__name=Role.CENTRE_HEAD.value, is_active=True)


def _notify_all(recipients, *, application: Application, kind: str, subject: str, body: str, context=None) -> None:
    for recipient in recipients:
        notify(
            recipient=recipient,
            kind=kind,
            subject=subject,
            body=body,
            url=_case_url(application),
            dedup_key=f"{kind}:{application.pk}:{recipient.pk}:{application.status}",
            context=context or {},
        )


def current_consent_text() -> ConsentText:
    text = ConsentText.objects.filter(effective_from__lte=timezone.localdate()).first()
    if text is None:
        raise ValidationError(_("No consent text is in force. Ask the system administrator to add one."))
    return text


@transaction.atomic
def application_start(*, actor: User, student: Student, referral_note: str = "") -> Application:
    """Start a draft for `student`. Raises PermissionDenied when the actor may not apply for them."""
    filed_as = permissions.can_apply_for(actor, student)
    if filed_as is None:
        raise PermissionDenied
    with acting_as(actor):
        application = Application.objects.create(
            student=student,
            filed_by=actor,
            filed_as=filed_as,
            referral_note=referral_note if filed_as == Application.FiledAs.LECTURER else "",
        )
    record_status_change(obj=application, from_status="", to_status=S.DRAFT, actor=actor)
    _grantapplicant_side(application)
    if filed_as == Application.FiledAs.LECTURER:
        grant(actor, "students.view_application_status", application)
        _notify_all(
            [student.user, *representatives_of(student)],
            application=application,
            kind="application_referral",
            subject=gettext_noop("A lecturer suggests you apply to the centre"),
            body=gettext_noop(
                "A lecturer noticed that you may need support in your studies and started an application for you. "
                "Open it, add what you need, give your consent and submit it. Nothing is sent without you."
            ),
        )
    return application


def _grantapplicant_side(application: Application) -> None:
    grant(application.student.user, "students.view_application", application)
    for representative in representatives_of(application.student):
        grant(representative, "students.view_application", application)


@transaction.atomic
def application_update(
    *,
    application: Application,
    actor: User,
    categories: list[NeedCategory],
    description: str,
    conditions: list[ConditionOption],
    conditions_other: str,
    disability_group: str,
    contact_channel: str,
    contact_phone: str,
    contact_notes: str,
) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.can_edit(actor, locked):
        raise ValidationError(_("Only a draft can be changed, and only by the applicant."), code="not_editable")
    locked.description = description
    locked.conditions_other = conditions_other
    locked.disability_group = disability_group
    locked.contact_channel = contact_channel
    locked.contact_phone = contact_phone
    locked.contact_notes = contact_notes
    with acting_as(actor):
        locked.save()
        locked.categories.set(categories)
        locked.conditions.set(conditions)
    return locked


@transaction.atomic
def consent_give(
    *, application: Application, actor: User, language: str, channel: str = Consent.Channel.ONLINE
) -> Consent:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if channel == Consent.Channel.ONLINE and not permissions.is_applicant_side(actor, locked):
        raise PermissionDenied
    if locked.is_final:
        raise ValidationError(_("This application is closed; consent cannot be given for it."), code="final")
    existing = Consent.objects.filter(application=locked).first()
    if existing is not None and existing.is_active:
        return existing
    with acting_as(actor):
        if existing is not None:
            existing.delete()
        return Consent.objects.create(
            application=locked,
            text=current_consent_text(),
            language=language,
            channel=channel,
            given_by=actor,
            given_at=timezone.now(),
        )


@transaction.atomic
def consent_withdraw(*, application: Application, actor: User, reason: str = "") -> Consent:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.is_applicant_side(actor, locked):
        raise PermissionDenied
    consent = Consent.objects.select_for_update().filter(application=locked).first()
    if consent is None or not consent.is_active:
        raise ValidationError(_("There is no consent in force to withdraw."), code="no_consent")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.withdrawal_reason = reason
    with acting_as(actor):
        consent.save()
    # The history row says what changed; the chain entry makes the withdrawal itself tamper-evident (the consent
    # row may later be replaced by a new consent, the chain entry stays).
    chain_append(
        kind=AuditChainEntry.Kind.EVENT,
        obj_or_payload={
            "event": "consent_withdrawn",
            "application": locked.pk,
            "consent": consent.pk,
            "text_version": consent.text.version,
            "withdrawn_by": actor.pk,
            "withdrawn_at": consent.withdrawn_at,
        },
    )
    if not locked.is_unsubmitted:  # the centre never heard of a draft
        _notify_all(
            _centre_heads(),
            application=locked,
            kind="consent_withdrawn",
            subject=gettext_noop("Consent to the processing of personal data was withdrawn"),
            body=gettext_noop(
                "Consent for application %(number)s was withdrawn. Stop any new processing of this case "
                "and contact the applicant."
            ),
            context={"number": locked.registration_number or "—"},
        )
    return consent


def _submission_problems(application: Application) -> list[ValidationError]:
    problems = []
    if not application.categories.exists():
        problems.append(ValidationError(_("Choose at least one category of needs."), code="no_category"))
    if not application.description.strip():
        problems.append(ValidationError(_("Describe your needs in your own words."), code="no_description"))
    consent = Consent.objects.filter(application=application).first()
    if consent is None or not consent.is_active:
        problems.append(
            ValidationError(
                _("Give your consent to the processing of personal data before you submit."), code="no_consent"
            )
        )
    return problems


@transaction.atomic
def application_submit(*, application: Application, actor: User) -> Application:
    if not permissions.is_applicant_side(actor, application):
        raise PermissionDenied
    # Check what is stored, not the caller's copy: the form may have been saved since it was read.
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != S.DRAFT:
        move(instance=application, to_status=S.SUBMITTED, allowed=ALLOWED, actor=actor)  # raises IllegalMove
    problems = _submission_problems(application)
    if problems:
        raise ValidationError(problems)

    def stamp(locked):
        locked.submitted_at = timezone.now()

    moved = move(instance=application, to_status=S.SUBMITTED, allowed=ALLOWED, actor=actor, before_save=stamp)
    _notify_all(
        _centre_heads(),
        application=moved,
        kind="application_submitted",
        subject=gettext_noop("A new application is waiting for registration"),
        body=gettext_noop("An application was submitted on %(date)s. Register it, or reject it with a reason."),
        context={"date": timezone.localdate(moved.submitted_at).isoformat()},
    )
    return moved


@transaction.atomic
def application_withdraw(*, application: Application, actor: User, reason: str = "") -> Application:
    if not (permissions.is_applicant_side(actor, application) or application.filed_by_id == actor.pk):
        raise PermissionDenied
    was_submitted = application.status == S.SUBMITTED
    moved = move(instance=application, to_status=S.WITHDRAWN, allowed=ALLOWED, actor=actor, comment=reason)
    recipients = applicant_side(moved) + (list(_centre_heads()) if was_submitted else [])
    _notify_all(
        recipients,
        application=moved,
        kind="application_withdrawn",
        subject=gettext_noop("An application was withdrawn"),
        body=gettext_noop("The application was withdrawn on %(date)s. A new application can be made at any time."),
        context={"date": timezone.localdate().isoformat()},
    )
    return moved


@transaction.atomic
def application_register(
    *, application: Application, actor: User, incoming_number: str = "", incoming_date=None
) -> Application:
    """Register a submitted application: it gets the next number of the year, gap-free. A paper brought to the
    chancellery keeps the chancellery's incoming number and date with its registered document (both or neither;
    ValidationError by field, and nothing is registered, when they cannot be right)."""
    if not permissions.can_register(actor, application):
        raise PermissionDenied

    def number(locked):
        _sequence, locked.registration_number = next_registration_number(document_type=DocumentType.APPLICATION)
        locked.registered_at = timezone.now()

    moved = move(instance=application, to_status=S.REGISTERED, allowed=ALLOWED, actor=actor, before_save=number)
    document = register_document(
        source=moved,
        document_type=DocumentType.APPLICATION,
        student=moved.student,
        number=moved.registration_number,
        registered_on=timezone.localdate(moved.registered_at),
        actor=actor,
    )
    if incoming_number or incoming_date:
        document_record_incoming(document=document, number=incoming_number, date=incoming_date, actor=actor)
    _notify_all(
        applicant_side(moved),
        application=moved,
        kind="application_registered",
        subject=gettext_noop("The application is registered"),
        body=gettext_noop(
            "The application is registered under number %(number)s. The centre will now assign specialists "
            "to assess the needs."
        ),
        context={"number": moved.registration_number},
    )
    return moved


@transaction.atomic
def application_reject(*, application: Application, actor: User, reason: str) -> Application:
    if not permissions.can_register(actor, application):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason: the applicant will read it.")}, code="no_reason")

    def keep_reason(locked):
        locked.rejection_reason = reason

    moved = move(
        instance=application,
        to_status=S.REJECTED,
        allowed=ALLOWED,
        actor=actor,
        comment=reason,
        before_save=keep_reason,
    )
    _void_registered_application(moved, to_status=RegisteredDocument.Status.REJECTED, actor=actor, reason=reason)
    _notify_all(
        applicant_side(moved),
        application=moved,
        kind="application_rejected",
        subject=gettext_noop("The application was not accepted"),
        body=gettext_noop("The centre did not accept the application. The reason: %(reason)s"),
        context={"reason": reason},
    )
    return moved


def _void_registered_application(application: Application, *, to_status: str, actor: User, reason: str) -> None:
    """The registered application of a case that ended without being taken up stops being in force: the register
    and the personal file say it was rejected, or merged into another case."""
    from django.contrib.contenttypes.models import ContentType

    documents = RegisteredDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(Application),
        object_id=application.pk,
        status=RegisteredDocument.Status.IN_FORCE,
    )
    for document in documents:
        document_change_status(document=document, to_status=to_status, actor=actor, reason=reason)


def _open_case_to_keep(application: Application, keep: Application) -> Application:
    """The open case of the same student that `application` duplicates, locked; ValidationError (on "keep")
    for any other."""
    if keep.pk == application.pk or keep.pk not in {case.pk for case in merge_targets(application)}:
        raise ValidationError(
            {"keep": _("Choose another open case of the same student.")},
            code="not_an_open_case",
        )
    return Application.objects.select_for_update().get(pk=keep.pk)


@transaction.atomic
def application_merge(*, application: Application, keep: Application, actor: User, reason: str = "") -> Application:
    """Merge `application`, a second case opened while `keep` was open, into `keep`.

    The duplicate ends as "merged" (a StatusChange, its history naming the actor), its uploaded documents are
    moved to the kept case, its registered application (if any) is void as merged, and the applicant side is
    told. Raises PermissionDenied for anyone but the centre, ValidationError for a case that is not another open
    case of the same student, IllegalMove when the duplicate is already being assessed or ended.
    """
    if not permissions.can_register(actor, application):
        raise PermissionDenied
    kept = _open_case_to_keep(application, keep)
    reason = reason.strip() or _("Merged into %(case)s") % {"case": kept.case_label}

    def link(locked):
        locked.duplicate_of = kept

    moved = move(
        instance=application, to_status=S.MERGED, allowed=ALLOWED, actor=actor, comment=reason, before_save=link
    )
    with acting_as(actor):
        for document in SupportingDocument.objects.select_for_update().filter(application=moved):
            document.application = kept
            document.save(update_fields=["application"])
    _void_registered_application(moved, to_status=RegisteredDocument.Status.MERGED, actor=actor, reason=reason)
    _notify_all(
        applicant_side(moved),
        application=kept,
        kind="application_merged",
        subject=gettext_noop("Your two applications are now one case"),
        body=gettext_noop(
            "You already had an open case (%(case)s). The centre added your newer application and its documents "
            "to it. Follow it on the case page."
        ),
        context={"case": kept.case_label},
    )
    return moved


@transaction.atomic
def application_reject_duplicate(
    *, application: Application, keep: Application, actor: User, reason: str = ""
) -> Application:
    """Reject `application` as a duplicate of the open case `keep`: nothing moves over; its registered
    application (if any) is void as rejected. Raises as application_merge does."""
    if not permissions.can_register(actor, application):
        raise PermissionDenied
    kept = _open_case_to_keep(application, keep)
    reason = reason.strip() or _("A duplicate of the open case %(case)s") % {"case": kept.case_label}

    def link(locked):
        locked.duplicate_of = kept
        locked.rejection_reason = reason

    moved = move(
        instance=application, to_status=S.DUPLICATE, allowed=ALLOWED, actor=actor, comment=reason, before_save=link
    )
    _void_registered_application(moved, to_status=RegisteredDocument.Status.REJECTED, actor=actor, reason=reason)
    _notify_all(
        applicant_side(moved),
        application=moved,
        kind="application_duplicate",
        subject=gettext_noop("The application was not accepted: you already have an open case"),
        body=gettext_noop(
            "You already have an open case (%(case)s), so the centre did not accept the newer application. "
            "Add what you need to the open case. The reason: %(reason)s"
        ),
        context={"case": kept.case_label, "reason": reason},
    )
    return moved


@transaction.atomic
def document_upload(*, application: Application, actor: User, upload, kind: str) -> SupportingDocument:
    """Store an uploaded file after checking its size and its type by content. Raises ValidationError."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.can_upload(actor, locked):
        raise PermissionDenied
    checked = check_upload(upload)
    document = SupportingDocument(
        application=locked,
        kind=kind,
        original_name=checked.display_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    with acting_as(actor):
        document.file.save("upload", upload, save=False)
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)  # no orphan file when the row cannot be written
            raise
    return document


def _check_paper_entry(actor: User, consent_signed: bool) -> None:
    """Only the centre (students.register_application) enters a paper application, and only with its consent."""
    if not actor.has_perm("students.register_application"):
        raise PermissionDenied
    if not consent_signed:
        raise ValidationError(
            {"consent_signed": _("A paper application can only be entered with the signed consent.")}, code="no_consent"
        )


@transaction.atomic
def paper_application_enter(
    *,
    actor: User,
    student: Student,
    received_on,
    categories: list[NeedCategory],
    description: str,
    conditions: list[ConditionOption],
    conditions_other: str,
    disability_group: str,
    contact_channel: str,
    contact_phone: str,
    scan,
    consent_signed: bool,
) -> Application:
    """A paper application brought to the chancellery, typed in by the centre with its scan attached.

    It is entered as submitted (the applicant signed it on paper); registration is the next, separate step.
    """
    _check_paper_entry(actor, consent_signed)
    with acting_as(actor):
        application = Application.objects.create(
            student=student,
            filed_by=actor,
            filed_as=Application.FiledAs.CENTRE,
            channel=Application.Channel.PAPER,
            received_on=received_on,
            description=description,
            conditions_other=conditions_other,
            disability_group=disability_group,
            contact_channel=contact_channel,
            contact_phone=contact_phone,
        )
        application.categories.set(categories)
        application.conditions.set(conditions)
    record_status_change(obj=application, from_status="", to_status=S.DRAFT, actor=actor)
    _grantapplicant_side(application)
    consent_give(
        application=application, actor=actor, language=student.user.preferred_language, channel=Consent.Channel.PAPER
    )
    document_upload(application=application, actor=actor, upload=scan, kind=SupportingDocument.Kind.PAPER_APPLICATION)

    def stamp(locked):
        locked.submitted_at = timezone.now()

    return move(instance=application, to_status=S.SUBMITTED, allowed=ALLOWED, actor=actor, before_save=stamp)


def application_record_incoming(*, application: Application, actor: User, number: str, date) -> None:
    """Record or correct the chancellery's incoming number and date of a registered application (the centre
    staff who may register it). Raises PermissionDenied for anyone else, ValidationError by
    field for an entry that cannot be right, LookupError when the application has no registered document."""
    if not permissions.can_register_incoming(actor, application):
        raise PermissionDenied
    document = next((d for d in documents_of_source(application) if d.version == 1), None)
    if document is None:
        raise LookupError("The application has no registered document.")
    document_record_incoming(document=document, number=number, date=date, actor=actor)
