"""The printed form of the application (documents/forms_registry.py explains how forms are described);
StudentsConfig.ready() registers FORMS.

The context function re-reads its source with everything the template needs in a fixed number of queries, and
builds the approval block from the recorded facts (status changes, signatures), never from the current state
alone: a PDF rendered later than its registration still tells who did what and when.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import StatusChange
from documents.forms_registry import Approval, FormSpec, position_of, student_summary
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


def application_context(application: Application) -> dict:
    S = Application.Status
    application = (
        Application.objects.select_related(
            "student__user",
            "student__programme",
            "student__group",
            "filed_by",
            "consent__text",
            "consent__given_by",
        )
        .prefetch_related("categories", "conditions", "documents")
        .get(pk=application.pk)
    )
    student = application.student
    changes = _status_changes(application, [S.SUBMITTED, S.REGISTERED])
    submitted, registered = changes.get(S.SUBMITTED), changes.get(S.REGISTERED)

    approvals = []
    if application.channel == Application.Channel.PAPER:
        approvals.append(
            Approval(
                role=_("Applicant"),
                name=student.user.full_name,
                position=_("Student"),
                date=application.received_on,
                outcome=_("Signed on paper, received at the chancellery"),
            )
        )
        if submitted is not None:
            approvals.append(
                Approval(
                    role=_("Entered by"),
                    name=submitted.actor.full_name if submitted.actor else "",
                    position=position_of(submitted.actor),
                    date=submitted.created_at,
                    outcome=_("Entered with the scan of the paper application"),
                )
            )
    else:
        applicant = submitted.actor if submitted is not None and submitted.actor else application.filed_by
        approvals.append(
            Approval(
                role=_("Applicant"),
                name=applicant.full_name,
                position=_("Student") if applicant.pk == student.user_id else _("Legal representative"),
                date=application.submitted_at,
                outcome=_("Submitted and signed electronically"),
            )
        )
    consent = getattr(application, "consent", None)
    if consent is not None:
        approvals.append(
            Approval(
                role=_("Consent to the processing of personal data"),
                name=consent.given_by.full_name,
                position="",
                date=consent.given_at,
                outcome=_("Given (text version %(version)s, %(channel)s)")
                % {"version": consent.text.version, "channel": consent.get_channel_display()},
            )
        )
    approvals.append(
        Approval(
            role=_("Registration"),
            name=registered.actor.full_name if registered is not None and registered.actor else "",
            position=position_of(registered.actor) if registered is not None else "",
            date=registered.created_at if registered is not None else application.registered_at,
            outcome=_("Registered under number %(number)s") % {"number": application.registration_number},
        )
    )
    return {
        "application": application,
        "student": student_summary(student),
        "categories": [category.name for category in application.categories.all()],
        "conditions": [condition.name for condition in application.conditions.all()],
        "supporting_documents": [
            {"kind": document.get_kind_display(), "name": document.original_name, "date": document.uploaded_at}
            for document in application.documents.all()
        ],
        "approvals": approvals,
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
