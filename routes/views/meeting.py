"""Pages of the interdisciplinary team meeting and its protocol. Each finds the meeting through a selector that
answers 404 to anyone who is not a member (or the centre head), checks the action is theirs, calls one service,
and shows the outcome: 422 with the message next to the field for bad input, 409 for a move that no longer applies.
"""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AccessLog
from audit.services import log_access
from inclusion_centre.workdays import add_working_days

from .. import services
from ..forms.meeting import (
    AgendaItemForm,
    AttendanceForm,
    MeetingForm,
    MemberAddForm,
    ProtocolRevisionForm,
    RecordForm,
    RsvpForm,
    votes_ok,
)
from ..models import Attendance, Protocol, TeamMeeting
from ..permissions import meeting as permissions
from ..selectors import meeting as selectors
from .common import CONFLICT, INVALID, ReasonTexts, part_write, reason_page
from .common import add_errors as _add_errors
from .common import status_for as _status_for

M = TeamMeeting.Status


def _managed(request, pk) -> selectors.MeetingView:
    """The meeting, for the centre head's planning pages; 404 for everyone else."""
    view = selectors.meeting_for(request.user, pk)
    if view.access != permissions.MeetingAccess.MANAGE:
        raise Http404
    return view


# --- The list and planning ----------------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def meetings(request):
    tab = request.GET.get("tab", selectors.Tab.UPCOMING)
    if tab not in selectors.TABS:
        tab = selectors.Tab.UPCOMING
    page = Paginator(selectors.meetings_for(request.user, tab), 20).get_page(request.GET.get("page"))
    tabs = [
        (selectors.Tab.UPCOMING, _("Upcoming")),
        (selectors.Tab.PAST, _("Past")),
        (selectors.Tab.AWAITING, _("Protocols awaiting signature")),
    ]
    context = {
        "page": page,
        "tab": tab,
        "tabs": tabs,
        "query": f"tab={tab}",
        "can_plan": permissions.can_manage_meetings(request.user),
    }
    return render(request, "routes/meetings/list.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    if not permissions.can_manage_meetings(request.user):
        raise Http404
    form = MeetingForm(request.POST if request.method == "POST" else None, planning=True)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_plan(
                    actor=request.user,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    online_link=data["online_link"],
                    chair=data["chair"],
                    secretary=data["secretary"],
                    members=list(data["members"]),
                )
            except PermissionDenied as denied:
                raise Http404 from denied
            except ValidationError as error:
                _add_errors(form, error)
                status = _status_for(error)
            else:
                messages.success(
                    request, _("The meeting is planned and its members are invited. Now add the agenda questions.")
                )
                return redirect("routes:meeting_edit", pk=meeting.pk)
    return render(request, "routes/meetings/plan.html", {"form": form}, status=status)


def _render_editor(request, view: selectors.MeetingView, status: int = 200, **bound):
    meeting = view.meeting
    context = {
        "view": view,
        "meeting": meeting,
        "form": bound.get("form") or MeetingForm(initial=MeetingForm.initial_for(meeting), planning=False),
        "item_form": bound.get("item_form") or AgendaItemForm(),
        "member_form": bound.get("member_form") or MemberAddForm(meeting=meeting),
        "editable": True,
    }
    return render(request, "routes/meetings/edit.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    view = _managed(request, pk)
    if not permissions.can_edit_plan(request.user, view.meeting):
        if request.method == "POST":
            return _render_detail(
                request, view, CONFLICT, problems=[_("Only a planned meeting can be changed; reload to see its state.")]
            )
        return redirect("routes:meeting", pk=pk)
    if request.method == "GET":
        return _render_editor(request, view)
    form = MeetingForm(request.POST, initial=MeetingForm.initial_for(view.meeting), planning=False)
    if not form.is_valid():
        return _render_editor(request, view, INVALID, form=form)
    data = form.cleaned_data
    try:
        services.meeting_update(
            meeting=view.meeting,
            actor=request.user,
            revision=data["revision"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            online_link=data["online_link"],
            chair=data["chair"],
            secretary=data["secretary"],
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _render_editor(request, view, _status_for(error), form=form)
    messages.success(request, _("The meeting is saved. If its time or place changed, every member was told again."))
    return redirect("routes:meeting_edit", pk=pk)


def _part_response(request, pk, part: str, status: int, **bound):
    """After adding or removing an agenda item or a member: the part alone for htmx, else the editor."""
    view = _managed(request, pk)  # fresh rows
    if request.htmx:
        context = {
            "view": view,
            "meeting": view.meeting,
            "editable": permissions.can_edit_plan(request.user, view.meeting),
            "item_form": bound.get("item_form") or AgendaItemForm(),
            "member_form": bound.get("member_form") or MemberAddForm(meeting=view.meeting),
        }
        # A question may invite the student and the lecturers: the members' table comes along, swapped out of band.
        template = "routes/meetings/_agenda_response.html" if part == "agenda" else "routes/meetings/_members.html"
        return render(request, template, context, status=status)
    if status == 200:
        return redirect(f"{reverse('routes:meeting_edit', args=[pk])}#{part}")
    return _render_editor(request, view, status, **bound)


def _part(request, pk, part: str, form_name: str):
    """How an add or remove button on the meeting editor answers: `_part_response` with the form under its name."""

    def respond(status: int, form):
        return _part_response(request, pk, part, status, **({form_name: form} if form is not None else {}))

    return respond


@login_required
@require_POST
def meeting_item_add(request, pk):
    view = _managed(request, pk)
    return part_write(
        request,
        partial(services.agenda_item_add, meeting=view.meeting, actor=request.user),
        _part(request, pk, "agenda", "item_form"),
        form=AgendaItemForm(request.POST),
        success=_("The question is on the agenda."),
    )


@login_required
@require_POST
def meeting_item_remove(request, pk, item_pk):
    view = _managed(request, pk)
    item = next((i for i in view.meeting.items.all() if i.pk == item_pk), None)
    if item is None:
        raise Http404
    return part_write(
        request,
        partial(services.agenda_item_remove, item=item, actor=request.user),
        _part(request, pk, "agenda", "item_form"),
        refused=AgendaItemForm,
    )


@login_required
@require_POST
def meeting_member_add(request, pk):
    view = _managed(request, pk)
    return part_write(
        request,
        partial(services.meeting_member_add, meeting=view.meeting, actor=request.user),
        _part(request, pk, "members", "member_form"),
        form=MemberAddForm(request.POST, meeting=view.meeting),
        success=_("The member is invited."),
    )


@login_required
@require_POST
def meeting_member_remove(request, pk, member_pk):
    view = _managed(request, pk)
    member = next((m for m in view.meeting.members.all() if m.pk == member_pk), None)
    if member is None:
        raise Http404
    return part_write(
        request,
        partial(services.meeting_member_remove, member=member, actor=request.user),
        _part(request, pk, "members", "member_form"),
        refused=partial(MemberAddForm, meeting=view.meeting),
    )


CANCEL = ReasonTexts(
    title=gettext_lazy("Cancel the meeting"),
    intro=gettext_lazy("Every member is told, and the meeting is taken out of their calendars."),
    button=gettext_lazy("Cancel the meeting"),
    success=gettext_lazy("The meeting is cancelled. Its members have been told."),
)
CORRECT = ReasonTexts(
    title=gettext_lazy("Correct the protocol"),
    intro=gettext_lazy(
        "A signed protocol is never changed. A correction is a new version, copied from the signed one, that the "
        "secretary amends and both the chair and the secretary sign again. Say what is corrected and why."
    ),
    button=gettext_lazy("Start the correction"),
    success=gettext_lazy(
        "A corrected version is started. The signed version stays in force until both sign the new one."
    ),
)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    view = _managed(request, pk)
    if not permissions.can_cancel(request.user, view.meeting):
        raise Http404
    return reason_page(
        request,
        CANCEL,
        item=view.meeting,
        action=partial(services.meeting_cancel, meeting=view.meeting, actor=request.user),
        back=reverse("routes:meeting", args=[pk]),
    )


# --- Reading and answering ----------------------------------------------------------------------------------


def _detail_context(request, view: selectors.MeetingView, **overrides) -> dict:
    meeting, user = view.meeting, request.user
    protocols = selectors.protocols_seen(view)
    draft = selectors.draft_protocol(meeting)
    context = {
        "view": view,
        "meeting": meeting,
        "members": view.members(),
        "items": view.items,
        "protocols": protocols,
        "draft": draft if view.centre else None,
        "timeline": selectors.meeting_timeline(meeting, protocols),
        "rsvp_form": overrides.pop("rsvp_form", None)
        or (RsvpForm(initial={"answer": view.member.invitation}) if view.member else None),
        "can_answer": permissions.can_answer(view.member, meeting),
        "can_edit": permissions.can_edit_plan(user, meeting),
        "can_cancel": permissions.can_cancel(user, meeting),
        "can_start": permissions.can_start_protocol(user, meeting) and bool(view.items),
        "can_correct": permissions.can_correct(user, meeting, has_draft=draft is not None),
        "problems": [],
        "hold_errors": [],
    }
    context.update(overrides)
    return context


def _render_detail(request, view, status=200, **overrides):
    return render(request, "routes/meetings/detail.html", _detail_context(request, view, **overrides), status=status)


@login_required
@never_cache
@require_GET
def meeting(request, pk):
    view = selectors.meeting_for(request.user, pk)
    # A meeting concerns several students: each one whose question the reader sees finds the read in their file.
    log_access(
        request=request,
        action=AccessLog.Action.VIEW_CASE,
        obj=view.meeting,
        student_ids=[item.application.student_id for item in view.items],
    )
    return _render_detail(request, view)


@login_required
@require_POST
def meeting_rsvp(request, pk):
    view = selectors.meeting_for(request.user, pk)
    if view.member is None:
        raise Http404
    form = RsvpForm(request.POST)
    status = INVALID
    if form.is_valid():
        try:
            services.meeting_rsvp(
                meeting=view.meeting,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _add_errors(form, error)
            status = _status_for(error)
        else:
            messages.success(request, _("Your answer is recorded. Thank you."))
            return redirect("routes:meeting", pk=pk)
    view = selectors.meeting_for(request.user, pk)
    return _render_detail(request, view, status, rsvp_form=form, problems=form.non_field_errors())


@login_required
@require_POST
def meeting_hold(request, pk):
    view = selectors.meeting_for(request.user, pk)
    if request.user.pk != view.meeting.secretary_id and view.access != permissions.MeetingAccess.MANAGE:
        raise Http404
    try:
        services.meeting_hold(meeting=view.meeting, actor=request.user)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        view = selectors.meeting_for(request.user, pk)
        # Too early: the message goes next to the button (and in the summary, which links to it).
        hold_errors = error.message_dict.get("hold", []) if hasattr(error, "error_dict") else []
        return _render_detail(request, view, _status_for(error), problems=error.messages, hold_errors=hold_errors)
    messages.success(request, _("The meeting is recorded as held. Write its protocol."))
    return redirect("routes:meeting_protocol", pk=pk)


# --- The protocol -------------------------------------------------------------------------------------------


def _protocol_context(request, protocol, view, **overrides) -> dict:
    records = selectors.protocol_records(protocol, view)
    context = {
        "protocol": protocol,
        "view": view,
        "meeting": view.meeting,
        "records": records,
        "attendance": selectors.protocol_attendance(protocol, view),
        "newer": next((p for p in selectors.protocols_seen(view) if p.previous_id == protocol.pk), None),
        "older": next((p for p in selectors.protocols_seen(view) if p.pk == protocol.previous_id), None),
        "can_sign": permissions.can_sign(request.user, view.meeting, protocol),
        "can_write": permissions.can_write_protocol(request.user, view.meeting, protocol),
        "sign_due": add_working_days(
            timezone.localdate(protocol.created_at), settings.DEADLINE_WORKING_DAYS["sign_protocol"]
        )
        if protocol.status == Protocol.Status.DRAFT
        else None,
        "today": timezone.localdate(),
        "problems": [],
    }
    context.update(overrides)
    return context


@login_required
@never_cache
@require_GET
def protocol(request, pk):
    item, view = selectors.protocol_for(request.user, pk)
    context = _protocol_context(request, item, view)
    # A protocol concerns several students: the read is logged once for each student whose question the reader
    # sees, so each of them finds it among who opened their file.
    log_access(
        request=request,
        action=AccessLog.Action.VIEW_CASE,
        obj=item,
        student_ids=[record.item.application.student_id for record in context["records"]],
    )
    return render(request, "routes/meetings/protocol.html", context)


def _protocol_forms(protocol, view, data=None):
    records = selectors.protocol_records(protocol, view)
    measures = selectors.route_measures({r.item.route_id for r in records if r.item.route_id})
    attendance = list(Attendance.objects.filter(protocol=protocol).select_related("member__user"))
    return (
        ProtocolRevisionForm(data, initial={"revision": protocol.revision}),
        [AttendanceForm(data, row=row) for row in attendance],
        [RecordForm(data, record=r, measures=measures.get(r.item.route_id, [])) for r in records],
    )


def _render_writer(request, protocol, view, forms, status=200, problems=()):
    revision, attendance, records = forms
    context = {
        "protocol": protocol,
        "view": view,
        "meeting": view.meeting,
        "revision_form": revision,
        "attendance_forms": attendance,
        "record_forms": records,
        "can_sign": permissions.can_sign(request.user, view.meeting, protocol),
        "problems": list(problems),
        "has_errors": any(f.is_bound and f.errors for f in [revision, *attendance, *records]),
    }
    return render(request, "routes/meetings/protocol_edit.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_protocol(request, pk):
    """The draft protocol: the secretary writes it here; the chair and centre staff are sent to read it."""
    view = selectors.meeting_for(request.user, pk)
    draft = selectors.draft_protocol(view.meeting)
    if draft is None or not view.centre:
        if request.method == "POST" and view.centre:
            return _render_detail(
                request, view, CONFLICT, problems=[_("There is no protocol being written; reload the page.")]
            )
        raise Http404
    if not permissions.can_write_protocol(request.user, view.meeting, draft):
        if request.method == "POST":
            raise Http404
        return redirect("routes:protocol", pk=draft.pk)
    if request.method == "GET":
        return _render_writer(request, draft, view, _protocol_forms(draft, view))
    forms = _protocol_forms(draft, view, request.POST)
    revision_form, attendance_forms, record_forms = forms
    valid = all(f.is_valid() for f in [revision_form, *attendance_forms, *record_forms])
    if valid:
        all_present = revision_form.cleaned_data["all_present"]
        voters = sum(
            1
            for f in attendance_forms
            if (f.cleaned_data["presence"] or (Attendance.Presence.PRESENT if all_present else ""))
            == Attendance.Presence.PRESENT
            and f.row.member.votes
        )
        valid = votes_ok(record_forms, voters)
    if not valid:
        return _render_writer(request, draft, view, forms, INVALID)
    try:
        services.protocol_save(
            protocol=draft,
            actor=request.user,
            revision=revision_form.cleaned_data["revision"],
            attendance={f.row.pk: f.cleaned_data for f in attendance_forms},
            records={f.record.pk: f.cleaned_data for f in record_forms},
            all_present=revision_form.cleaned_data["all_present"],
        )
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        return _render_writer(request, draft, view, forms, _status_for(error), problems=error.messages)
    messages.success(request, _("The protocol is saved."))
    return redirect("routes:meeting_protocol", pk=pk)


@login_required
@require_POST
def protocol_sign(request, pk):
    item, view = selectors.protocol_for(request.user, pk)
    if permissions.signing_role(request.user, view.meeting) is None:
        raise Http404
    try:
        signed = services.protocol_sign(protocol=item, actor=request.user)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        item, view = selectors.protocol_for(request.user, pk)
        return render(
            request,
            "routes/meetings/protocol.html",
            _protocol_context(request, item, view, problems=error.messages),
            status=_status_for(error),
        )
    if signed.registration_number:
        messages.success(
            request,
            _("The protocol is signed by both and registered as %(number)s. The members have been told.")
            % {"number": signed.registration_number},
        )
    else:
        messages.success(request, _("Your signature is recorded. The protocol waits for the other signature."))
    return redirect("routes:protocol", pk=pk)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_correct(request, pk):
    view = selectors.meeting_for(request.user, pk)
    draft = selectors.draft_protocol(view.meeting)
    if not permissions.can_correct(request.user, view.meeting, has_draft=draft is not None):
        if request.method == "POST" and view.centre and draft is not None:
            return _render_detail(
                request, view, CONFLICT, problems=[_("A correction of this protocol is already being written.")]
            )
        raise Http404
    secretary = request.user.pk == view.meeting.secretary_id
    return reason_page(
        request,
        CORRECT,
        item=view.meeting,
        action=partial(services.protocol_correct, meeting=view.meeting, actor=request.user),
        back=reverse("routes:meeting", args=[pk]),
        done=reverse("routes:meeting_protocol" if secretary else "routes:meeting", args=[pk]),
    )
