"""Writes of the assessment and the conclusion. Atomic, permission-checked, recorded with the acting user."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audit.workflow import IllegalMove, move
from documents.models import DocumentType
from documents.services import next_registration_number, register_document
from inclusion_centre.accounts.grants import grant, revoke
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.notifications import notify
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as
from students.models import Application
from students.selectors import applicant_side
from students.workflow import ALLOWED as APPLICATION_MOVES

from .. import permissions
from ..models import Adaptation, Assessment, Assignment, Conclusion, ConclusionItem, Recommendation
from ..workflow import ASSESSMENT_ALLOWED, CONCLUSION_ALLOWED

S = Application.Status


def _case_url(application: Application) -> str:
    return reverse("students:application_detail", args=[application.public_id])


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _refuse_without_consent(application: Application) -> None:
    consent = getattr(application, "consent", None)
    if consent is None or not consent.is_active:
        raise ValidationError(
            _("Consent to the processing of personal data was withdrawn: no new work on this case may start."),
            code="no_consent",
        )


@transaction.atomic
def assignment_add(*, application: Application, specialist: User, area: str, actor: User) -> Assignment:
    """Assign a specialist to assess one area; a registered application moves to under assessment."""
    if not actor.has_perm("routes.add_assignment"):
        raise PermissionDenied
    locked = _lock(application)
    if locked.status not in {S.REGISTERED, S.UNDER_ASSESSMENT}:
        raise IllegalMove(
            _("Specialists can be assigned only to a registered application or one under assessment."),
            code="illegal_move",
        )
    _refuse_without_consent(locked)
    if not specialist.is_active or not specialist.has_role(Role.SPECIALIST):
        raise ValidationError({"specialist": _("Choose a centre specialist.")}, code="not_specialist")
    # The case moves before the assignment is written, so that the timeline (sorted by time) says "specialists
    # were assigned" before "a specialist began assessing"; a refused duplicate rolls both back.
    if locked.status == S.REGISTERED:
        move(instance=locked, to_status=S.UNDER_ASSESSMENT, allowed=APPLICATION_MOVES, actor=actor)
    try:
        with transaction.atomic(), acting_as(actor):
            assignment = Assignment.objects.create(
                application=locked, specialist=specialist, area=area, assigned_by=actor
            )
            Assessment.objects.create(assignment=assignment)
    except IntegrityError as exc:
        raise ValidationError(
            {"area": _("This specialist is already assigned to this area of the case.")}, code="duplicate"
        ) from exc
    grant(specialist, "students.view_application", locked)
    grant(specialist, "students.assess_application", locked)
    grant(specialist, "routes.edit_assessment", assignment.assessment)
    notify(
        recipient=specialist,
        kind="assignment_added",
        subject=gettext_noop("A case is assigned to you"),
        body=gettext_noop("You are assigned to assess the area “%(area)s” of application %(number)s."),
        url=reverse("routes:assessment", args=[assignment.pk]),
        dedup_key=f"assignment_added:{assignment.pk}",
        context={"area": assignment.get_area_display(), "number": locked.registration_number},
    )
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, actor: User) -> Assignment:
    """Unassign: the specialist loses access to the case at once, unless another area keeps them on it."""
    if not actor.has_perm("routes.add_assignment"):
        raise PermissionDenied
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not locked.is_active:
        raise IllegalMove(_("This specialist is no longer assigned."), code="illegal_move")
    locked.ended_at = timezone.now()
    with acting_as(actor):
        locked.save(update_fields=["ended_at"])
    still_assigned = Assignment.objects.filter(
        application_id=locked.application_id, specialist_id=locked.specialist_id, ended_at__isnull=True
    ).exists()
    for assessment in Assessment.objects.filter(assignment=locked):
        revoke(locked.specialist, "routes.edit_assessment", assessment)
    if not still_assigned:
        revoke(locked.specialist, "students.view_application", locked.application)
        revoke(locked.specialist, "students.assess_application", locked.application)
    return locked


@transaction.atomic
def assessment_save(
    *,
    assessment: Assessment,
    actor: User,
    findings: str,
    strengths: str,
    barriers: str,
    adaptations: list[Adaptation],
    free_texts: list[str],
) -> Assessment:
    """Save a draft as it is: drafts may be incomplete."""
    locked = Assessment.objects.select_for_update().select_related("assignment__application").get(pk=assessment.pk)
    if not permissions.can_edit_assessment(actor, locked):
        raise ValidationError(_("Only the assigned specialist can change a draft assessment."), code="not_editable")
    locked.findings, locked.strengths, locked.barriers = findings, strengths, barriers
    with acting_as(actor):
        locked.save()
        for recommendation in list(locked.recommendations.all()):
            recommendation.delete()
        for adaptation in adaptations:
            Recommendation.objects.create(assessment=locked, adaptation=adaptation)
        for text in free_texts:
            if text.strip():
                Recommendation.objects.create(assessment=locked, text=text.strip())
    return locked


@transaction.atomic
def assessment_finish(*, assessment: Assessment, actor: User) -> Assessment:
    locked = Assessment.objects.select_for_update().select_related("assignment__application").get(pk=assessment.pk)
    if not permissions.can_edit_assessment(actor, locked):
        raise IllegalMove(_("This assessment cannot be finished now."), code="illegal_move")
    problems = []
    if not locked.findings.strip():
        problems.append(ValidationError(_("Write the findings before you finish."), code="no_findings"))
    if not locked.recommendations.exists():
        problems.append(
            ValidationError(_("Add at least one recommendation before you finish."), code="no_recommendations")
        )
    if problems:
        raise ValidationError(problems)
    finished = move(
        instance=locked,
        to_status=Assessment.Status.FINISHED,
        allowed=ASSESSMENT_ALLOWED,
        actor=actor,
        before_save=lambda obj: setattr(obj, "finished_at", timezone.now()),
    )
    finished.assignment = locked.assignment  # already loaded, with its application
    for head in User.objects.filter(groups__name=Role.CENTRE_HEAD.value, is_active=True):
        notify(
            recipient=head,
            kind="assessment_finished",
            subject=gettext_noop("An assessment is finished"),
            body=gettext_noop("The assessment of the area “%(area)s” of application %(number)s is finished."),
            url=_case_url(locked.assignment.application),
            dedup_key=f"assessment_finished:{locked.pk}:{head.pk}",
            context={
                "area": locked.assignment.get_area_display(),
                "number": locked.assignment.application.registration_number,
            },
        )
    return finished


def _merged_items(application: Application) -> list[tuple[Adaptation | None, str, list[Recommendation]]]:
    """Recommendations of the finished assessments, merged: one item per catalogue entry, one per distinct text."""
    merged: dict[tuple, tuple[Adaptation | None, str, list[Recommendation]]] = {}
    recommendations = (
        Recommendation.objects.filter(
            assessment__assignment__application=application,
            assessment__status=Assessment.Status.FINISHED,
            assessment__assignment__ended_at__isnull=True,
        )
        .select_related("adaptation")
        .order_by("adaptation__group", "adaptation__order", "pk")
    )
    for recommendation in recommendations:
        if recommendation.adaptation_id:
            key = ("adaptation", recommendation.adaptation_id)
            text = ""
        else:
            key = ("text", " ".join(recommendation.text.lower().split()))
            text = recommendation.text
        if key not in merged:
            merged[key] = (recommendation.adaptation, text, [])
        merged[key][2].append(recommendation)
    return list(merged.values())


@transaction.atomic
def conclusion_draft(*, application: Application, actor: User) -> Conclusion:
    """Draft the conclusion from the finished assessments (a first version, or the next after a signed one)."""
    locked = _lock(application)
    if not permissions.can_draft_conclusion(actor, locked):
        raise PermissionDenied
    existing = Conclusion.objects.filter(application=locked, status=Conclusion.Status.DRAFT).first()
    if existing is not None:
        return existing
    finished = Assessment.objects.filter(
        assignment__application=locked, status=Assessment.Status.FINISHED, assignment__ended_at__isnull=True
    ).select_related("assignment__specialist")
    if not finished:
        raise ValidationError(_("No assessment is finished yet: a conclusion is drafted from finished assessments."))
    previous = Conclusion.objects.filter(application=locked).order_by("-version").first()
    with acting_as(actor):
        conclusion = Conclusion.objects.create(
            application=locked,
            version=(previous.version + 1) if previous else 1,
            drafted_by=actor,
            analysis=previous.analysis if previous else "",
            support_level=previous.support_level if previous else "",
        )
        conclusion.specialists.set({a.assignment.specialist for a in finished})
        for order, (adaptation, text, sources) in enumerate(_merged_items(locked), start=1):
            item = ConclusionItem.objects.create(conclusion=conclusion, adaptation=adaptation, text=text, order=order)
            item.sources.set(sources)
    _tell_heads_to_sign(conclusion, actor)
    return conclusion


def _tell_heads_to_sign(conclusion: Conclusion, actor: User) -> None:
    """Every centre head but the one who drafted it: a conclusion is waiting for their signature."""
    application = conclusion.application
    for head in User.objects.filter(groups__name=Role.CENTRE_HEAD.value, is_active=True).exclude(pk=actor.pk):
        notify(
            recipient=head,
            kind="conclusion_to_sign",
            subject=gettext_noop("A conclusion is waiting for your signature"),
            body=gettext_noop(
                "A draft conclusion (version %(version)s) on application %(number)s is waiting for your signature."
            ),
            url=reverse("routes:conclusion", args=[conclusion.pk]),
            dedup_key=f"conclusion_to_sign:{conclusion.pk}:{head.pk}",
            context={"version": conclusion.version, "number": application.registration_number or ""},
        )


@transaction.atomic
def conclusion_update(
    *,
    conclusion: Conclusion,
    actor: User,
    analysis: str,
    support_level: str,
    revision_reason: str,
    keep_items: list[int],
) -> Conclusion:
    locked = Conclusion.objects.select_for_update().select_related("application").get(pk=conclusion.pk)
    if not permissions.can_edit_conclusion(actor, locked):
        raise ValidationError(_("Only a draft conclusion can be changed."), code="not_editable")
    locked.analysis, locked.support_level, locked.revision_reason = analysis, support_level, revision_reason
    with acting_as(actor):
        locked.save()
        for item in locked.items.exclude(pk__in=keep_items):
            item.delete()
    return locked


def _unsignable(conclusion: Conclusion) -> list[ValidationError]:
    """What a draft conclusion lacks before it can be signed."""
    problems = []
    if not conclusion.analysis.strip():
        problems.append(ValidationError(_("Write the analysis of educational needs."), code="no_analysis"))
    if not conclusion.support_level:
        problems.append(ValidationError(_("Choose the recommended level of support."), code="no_level"))
    if not conclusion.items.exists():
        problems.append(ValidationError(_("Keep at least one recommended adaptation."), code="no_items"))
    if conclusion.version > 1 and not conclusion.revision_reason.strip():
        problems.append(ValidationError(_("Say why this new version is needed."), code="no_reason"))
    return problems


@transaction.atomic
def conclusion_sign(*, conclusion: Conclusion, actor: User) -> Conclusion:
    """Sign, register and freeze; the application moves to concluded and the student is told."""
    if not permissions.is_centre_head(actor):
        raise PermissionDenied
    locked = Conclusion.objects.select_for_update().select_related("application").get(pk=conclusion.pk)
    if locked.status != Conclusion.Status.DRAFT:
        raise IllegalMove(_("This conclusion is already signed."), code="illegal_move")
    problems = _unsignable(locked)
    if problems:
        raise ValidationError(problems)
    _sequence, number = next_registration_number(document_type=DocumentType.CONCLUSION)

    def stamp(obj: Conclusion) -> None:
        obj.registration_number, obj.signed_by, obj.signed_at = number, actor, timezone.now()

    signed = move(
        instance=locked, to_status=Conclusion.Status.SIGNED, allowed=CONCLUSION_ALLOWED, actor=actor, before_save=stamp
    )
    signed.application = locked.application  # already loaded
    locked = signed
    register_document(
        source=locked,
        document_type=DocumentType.CONCLUSION,
        student=locked.application.student,
        number=locked.registration_number,
        registered_on=timezone.localdate(locked.signed_at),
        actor=actor,
    )
    application = locked.application
    if application.status == S.UNDER_ASSESSMENT:
        application = move(instance=application, to_status=S.CONCLUDED, allowed=APPLICATION_MOVES, actor=actor)
    for recipient in applicant_side(application):
        notify(
            recipient=recipient,
            kind="conclusion_signed",
            subject=gettext_noop("The centre's conclusion is ready"),
            body=gettext_noop(
                "The centre has signed its conclusion %(number)s on the application. You can read it on the case page."
            ),
            url=reverse("routes:conclusion", args=[locked.pk]),
            dedup_key=f"conclusion_signed:{locked.pk}:{recipient.pk}",
            context={"number": locked.registration_number},
        )
    return locked
