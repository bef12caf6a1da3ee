"""The printed form of the application (documents/forms_registry.py explains how forms are described);
StudentsConfig.ready() registers FORMS.

The context function re-reads its source with everything the template needs in a fixed number of queries, and
builds the approval block from the recorded facts (status changes, signatures), never from the current state
alone: a PDF rendered later than its registration still tells who did what and when.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import StatusChange
from documents.forms_registry import Approval, FormSpec, SignatureLine, position_of, student_summary
from documents.models import DocumentType, SignatureRole

from . import permissions
from .models import Application


def _status_changes(obj, statuses) -> dict[str, StatusChange]:
    """The last recorded move of `obj` into each of `statuses`, with the actor's staff profile."""
    changes = StatusChange.objects.filter(
        content_type__app_label=obj._meta.app_label,
        content_type__model=obj._meta.model_name,
        object_id=obj.pk,
        to_status__in=statuses,
    ).select_related("actor__staff_profile")
    return {change.to_status: change for change in changes}


def _load_application(application: Application) -> Application:
    return (
        Application.objects.select_related(
            "student__user",
            "student__programme",
            "student__group",
            "filed_by__staff_profile",
            "consent__text",
            "consent__given_by",
        )
        .prefetch_related("categories", "conditions", "documents")
        .get(pk=application.pk)
    )


def _paper_steps(application: Application, submitted: StatusChange | None) -> list[Approval]:
    steps = [
        Approval(
            role=_("Applicant"),
            name=application.student.user.full_name,
            position=_("Student"),
            date=application.received_on,
            outcome=_("Signed on paper, received at the chancellery"),
        )
    ]
    if submitted is not None:
        steps.append(
            Approval(
                role=_("Entered by"),
                name=submitted.actor.full_name if submitted.actor else "",
                position=position_of(submitted.actor),
                date=submitted.created_at,
                outcome=_("Entered with the scan of the paper application"),
            )
        )
    return steps


def _applicant(application: Application, submitted: StatusChange | None):
    """Who signs the petition: the person who submitted it online, else who filed it."""
    return submitted.actor if submitted is not None and submitted.actor else application.filed_by


def _applicant_position(application: Application, applicant) -> str:
    if applicant.pk == application.student.user_id:
        return _("Student")
    if application.filed_as == Application.FiledAs.LECTURER:
        return position_of(applicant) or _("Lecturer")
    return _("Legal representative")


def _online_steps(application: Application, submitted: StatusChange | None) -> list[Approval]:
    applicant = _applicant(application, submitted)
    return [
        Approval(
            role=_("Applicant"),
            name=applicant.full_name,
            position=_applicant_position(application, applicant),
            date=application.submitted_at,
            outcome=_("Submitted and signed electronically"),
        )
    ]


def _consent_and_registration(application: Application, registered: StatusChange | None) -> list[Approval]:
    steps = []
    consent = getattr(application, "consent", None)
    if consent is not None:
        steps.append(
            Approval(
                role=_("Consent to the processing of personal data"),
                name=consent.given_by.full_name,
                position="",
                date=consent.given_at,
                outcome=_("Given (text version %(version)s, %(channel)s)")
                % {"version": consent.text.version, "channel": consent.get_channel_display()},
            )
        )
    steps.append(
        Approval(
            role=_("Registration"),
            name=registered.actor.full_name if registered is not None and registered.actor else "",
            position=position_of(registered.actor) if registered is not None else "",
            date=registered.created_at if registered is not None else application.registered_at,
            outcome=_("Registered under number %(number)s") % {"number": application.registration_number},
        )
    )
    return steps


def _applicant_signature(application: Application, submitted: StatusChange | None) -> SignatureLine:
    if application.channel == Application.Channel.PAPER:
        student = application.student.user
        return SignatureLine(
            key="applicant",
            role=_("Applicant"),
            name=student.full_name,
            position=_("Student"),
            date=application.received_on,
            status=_("Signed on paper"),
        )
    applicant = _applicant(application, submitted)
    return SignatureLine(
        key="applicant",
        role=_("Applicant"),
        name=applicant.full_name,
        position=_applicant_position(application, applicant),
        date=application.submitted_at,
        status=_("Signed in the centre's system") if application.submitted_at else "",
    )


def _request_text(application: Application) -> str:
    """The first-person request of the petition, in the words of whoever files it."""
    if application.filed_as == Application.FiledAs.REPRESENTATIVE:
        return _(
            "As the legal representative of the student named above, I ask you to provide them with the conditions "
            "of inclusive education set out below."
        )
    if application.filed_as == Application.FiledAs.LECTURER:
        return _(
            "I ask you to assess the educational needs of the student named above and to provide them with the "
            "conditions of inclusive education set out below."
        )
    return _("I ask you to provide me with the conditions of inclusive education set out below.")


def application_context(application: Application) -> dict:
    S = Application.Status
    application = _load_application(application)
    changes = _status_changes(application, [S.SUBMITTED, S.REGISTERED])
    submitted, registered = changes.get(S.SUBMITTED), changes.get(S.REGISTERED)
    if application.channel == Application.Channel.PAPER:
        steps = _paper_steps(application, submitted)
    else:
        steps = _online_steps(application, submitted)
    return {
        "application": application,
        "student": student_summary(application.student),
        "request": _request_text(application),
        "categories": [category.name for category in application.categories.all()],
        "conditions": [condition.name for condition in application.conditions.all()],
        "supporting_documents": [
            {"kind": document.get_kind_display(), "name": document.original_name, "date": document.uploaded_at}
            for document in application.documents.all()
        ],
        "consent": getattr(application, "consent", None),
        "signature": _applicant_signature(application, submitted),
        "approvals": steps + _consent_and_registration(application, registered),
    }


def _can_view_application(user, application: Application) -> bool:
    return permissions.can_view(user, application)


def application_signers(application: Application) -> list[tuple[str, object]]:
    """The applicant signs: whoever filed it online (the student or a legal representative), the student for a
    paper application."""
    application = Application.objects.select_related("student__user", "filed_by").get(pk=application.pk)
    applicant = application.student.user
    online = application.channel == Application.Channel.ONLINE and application.filed_by is not None
    if online and permissions.is_applicant_side(application.filed_by, application):
        applicant = application.filed_by
    return [(SignatureRole.APPLICANT, applicant)]


def _application_samples():
    return Application.objects.filter(registration_number__isnull=False).order_by("registered_at", "pk")[:1]


FORMS = [
    FormSpec(
        document_type=DocumentType.APPLICATION,
        template="documents/pdf/application.html",
        context=application_context,
        can_view=_can_view_application,
        source_url=lambda application: reverse("students:application_detail", args=[application.public_id]),
        samples=_application_samples,
        staff_permission="students.view_application",
        signers=application_signers,
    ),
]
