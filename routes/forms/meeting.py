"""Forms of the team meeting pages. They parse and check input; the services decide and write."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.forms import BoundedForm
from students.models import Application

from ..models import AgendaItem, Attendance, MeetingMember, ProtocolItem, Route, SupportMeasure
from ..services.meeting import CASE_STATUSES


def _centre_staff():
    return (
        User.objects.filter(groups__name__in=[Role.CENTRE_HEAD.value, Role.SPECIALIST.value], is_active=True)
        .distinct()
        .order_by("full_name")
    )


def _name(user: User) -> str:
    return user.full_name


class MeetingForm(BoundedForm):
    """When and where the meeting is, who chairs it and who keeps the protocol; on planning, who is invited."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the date of the meeting."), "invalid": _("Enter a real date.")},
    )
    starts = forms.TimeField(
        label=_("Starts at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Enter the time the meeting starts."), "invalid": _("Enter a time, e.g. 14:30.")},
    )
    ends = forms.TimeField(
        label=_("Ends at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Enter the time the meeting ends."), "invalid": _("Enter a time, e.g. 15:30.")},
    )
    place = forms.CharField(
        label=_("Place"),
        help_text=_("The room, e.g. “Main building, room 204”. Leave empty for an online meeting."),
        max_length=200,
        required=False,
    )
    online_link = forms.URLField(
        label=_("Online meeting link"),
        help_text=_("For members who join online. Leave empty for a meeting in a room only."),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a full address starting with https://.")},
    )
    chair = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Chair"),
        empty_label=_("Choose the chair"),
        error_messages={"required": _("Choose the chair."), "invalid_choice": _("Choose the chair from the list.")},
    )
    secretary = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Secretary"),
        help_text=_("Keeps the protocol and signs it with the chair."),
        empty_label=_("Choose the secretary"),
        error_messages={
            "required": _("Choose the secretary."),
            "invalid_choice": _("Choose the secretary from the list."),
        },
    )
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Members from the centre"),
        help_text=_(
            "The chair and the secretary are invited anyway. Lecturers, students and representatives are invited "
            "with the agenda questions about their cases."
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose members from the list.")},
    )

    def __init__(self, *args, planning: bool, **kwargs):
        super().__init__(*args, **kwargs)
        staff = _centre_staff()
        for name in ("chair", "secretary", "members"):
            self.fields[name].queryset = staff
            self.fields[name].label_from_instance = _name
        if not planning:
            del self.fields["members"]
        else:
            del self.fields["revision"]

    def clean(self):
        data = super().clean()
        date, starts, ends = data.get("date"), data.get("starts"), data.get("ends")
        if date and starts and ends:
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(date, starts))
            data["ends_at"] = timezone.make_aware(datetime.datetime.combine(date, ends))
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("ends", _("The meeting ends after it starts."))
            elif data["starts_at"] <= timezone.now():
                self.add_error("date", _("Choose a time in the future."))
        if not data.get("place", "").strip() and not data.get("online_link", "").strip() and "online_link" in data:
            self.add_error("place", _("Give the place or the online link (or both)."))
        chair, secretary = data.get("chair"), data.get("secretary")
        if chair and secretary and chair.pk == secretary.pk:
            self.add_error("secretary", _("The secretary is someone other than the chair: both sign the protocol."))
        return data

    @staticmethod
    def initial_for(meeting) -> dict:
        start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        return {
            "revision": meeting.revision,
            "date": start.date(),
            "starts": start.time(),
            "ends": end.time(),
            "place": meeting.place,
            "online_link": meeting.online_link,
            "chair": meeting.chair_id,
            "secretary": meeting.secretary_id,
        }


class MemberAddForm(BoundedForm):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Member of staff"),
        empty_label=_("Choose a person"),
        error_messages={"required": _("Choose a person."), "invalid_choice": _("Choose a person from the list.")},
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, prefix="member", **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(
                groups__name__in=[Role.CENTRE_HEAD.value, Role.SPECIALIST.value, Role.LECTURER.value],
                is_active=True,
            )
            .exclude(meeting_memberships__meeting=meeting)
            .distinct()
            .order_by("full_name")
        )
        self.fields["user"].label_from_instance = _name


def _case_label(application: Application) -> str:
    return f"{application.student.user.full_name} — {application.registration_number or '—'}"


def _route_label(route: Route) -> str:
    number = route.registration_number or _("draft")
    return f"{route.application.student.user.full_name} — {number}, v{route.version} ({route.get_status_display()})"


class AgendaItemForm(BoundedForm):
    application = forms.ModelChoiceField(
        queryset=Application.objects.none(),
        label=_("Case"),
        help_text=_("Or choose a route below: its case is taken."),
        empty_label=_("Choose a case"),
        required=False,
        error_messages={"invalid_choice": _("Choose a case from the list.")},
    )
    route = forms.ModelChoiceField(
        queryset=Route.objects.none(),
        label=_("Route (optional)"),
        help_text=_("Needed to approve or change support measures."),
        empty_label=_("No particular route"),
        required=False,
        error_messages={"invalid_choice": _("Choose a route from the list.")},
    )
    topic = forms.ChoiceField(
        label=_("Question"),
        choices=[("", _("Choose the question")), *AgendaItem.Topic.choices],
        error_messages={"required": _("Choose the question."), "invalid_choice": _("Choose the question.")},
    )
    note = forms.CharField(
        label=_("Note for the centre staff (optional)"),
        help_text=_("Only centre staff read it: lecturers and the student do not."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    invite_student = forms.BooleanField(
        label=_("Invite the student and their legal representatives as guests"), required=False
    )
    invite_lecturers = forms.BooleanField(label=_("Invite the lecturers of the route's courses"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="item", **kwargs)
        self.fields["application"].queryset = (
            Application.objects.filter(status__in=CASE_STATUSES)
            .select_related("student__user")
            .order_by("student__user__full_name", "pk")
        )
        self.fields["application"].label_from_instance = _case_label
        self.fields["route"].queryset = (
            Route.objects.filter(application__status__in=CASE_STATUSES)
            .exclude(status=Route.Status.CANCELLED)
            .select_related("application__student__user")
            .order_by("application__student__user__full_name", "-version")
        )
        self.fields["route"].label_from_instance = _route_label

    def clean(self):
        data = super().clean()
        application, route = data.get("application"), data.get("route")
        if application is None and route is None and not self.has_error("application") and not self.has_error("route"):
            self.add_error("application", _("Choose a case or a route."))
        if application is not None and route is not None and route.application_id != application.pk:
            self.add_error("route", _("This route belongs to another case."))
        if data.get("topic") == AgendaItem.Topic.MEASURES and route is None and not self.has_error("route"):
            self.add_error("route", _("Choose the route whose support measures are to be approved."))
        return data


class RsvpForm(BoundedForm):
    answer = forms.ChoiceField(
        label=_("Will you attend?"),
        choices=[
            (MeetingMember.Invitation.CONFIRMED, _("Yes, I will attend")),
            (MeetingMember.Invitation.DECLINED, _("No, I cannot attend")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you will attend."), "invalid_choice": _("Choose your answer.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        help_text=_("For example, why you cannot attend. The secretary reads it."),
        max_length=500,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="rsvp", **kwargs)


class ProtocolRevisionForm(BoundedForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # One control for the usual case; the per-member choices below record only the exceptions.
    all_present = forms.BooleanField(
        label=_("Everyone was present"),
        help_text=_(
            "Tick this and record below only who was absent (with a reason, or without one). "
            "Everyone left as “Not recorded yet” is recorded as present."
        ),
        required=False,
    )


class AttendanceForm(BoundedForm):
    presence = forms.ChoiceField(
        label=_("Attendance"),
        choices=[("", _("Not recorded yet")), *[c for c in Attendance.Presence.choices if c[0] != "unknown"]],
        required=False,
        error_messages={"invalid_choice": _("Choose from the list.")},
    )
    reason = forms.CharField(label=_("Reason for the absence"), max_length=500, required=False)

    def __init__(self, *args, row: Attendance, **kwargs):
        self.row = row
        initial = {"presence": "" if row.presence == "unknown" else row.presence, "reason": row.reason}
        super().__init__(*args, prefix=f"a{row.pk}", initial=initial, **kwargs)
        name = row.member.user.full_name
        self.fields["presence"].label = _("Attendance of %(name)s") % {"name": name}
        self.fields["reason"].label = _("Reason for the absence of %(name)s") % {"name": name}

    def clean(self):
        data = super().clean()
        if data.get("presence") == Attendance.Presence.ABSENT_WITH_REASON and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for the absence."))
        return data


class RecordForm(BoundedForm):
    heard = forms.CharField(
        label=_("Heard"),
        help_text=_("Who spoke and what they reported. Only centre staff read this part."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        required=False,
    )
    decision = forms.CharField(
        label=_("Decided"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    outcome = forms.ChoiceField(
        label=_("Kind of decision"),
        choices=ProtocolItem.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of decision."), "invalid_choice": _("Choose the kind.")},
    )
    measures = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Support measures the decision approves or changes"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Choose support measures of this route.")},
    )
    votes_for = forms.IntegerField(
        label=_("Votes for"), min_value=0, max_value=500, required=False, error_messages={"min_value": _("0 or more.")}
    )
    votes_against = forms.IntegerField(
        label=_("Votes against"),
        min_value=0,
        max_value=500,
        required=False,
        error_messages={"min_value": _("0 or more.")},
    )
    votes_abstained = forms.IntegerField(
        label=_("Abstained"), min_value=0, max_value=500, required=False, error_messages={"min_value": _("0 or more.")}
    )
    dissent = forms.CharField(
        label=_("Dissenting opinion (if any)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
    )

    def __init__(self, *args, record: ProtocolItem, measures: list, **kwargs):
        self.record = record
        initial = {
            "heard": record.heard,
            "decision": record.decision,
            "outcome": record.outcome,
            "measures": [m.pk for m in record.measures.all()],
            "votes_for": record.votes_for,
            "votes_against": record.votes_against,
            "votes_abstained": record.votes_abstained,
            "dissent": record.dissent,
        }
        super().__init__(*args, prefix=f"r{record.pk}", initial=initial, **kwargs)
        if record.item.route_id is None:
            del self.fields["measures"]
            self.fields["outcome"].choices = [(ProtocolItem.Outcome.OTHER, ProtocolItem.Outcome.OTHER.label)]
        else:
            field = self.fields["measures"]
            field.queryset = SupportMeasure.objects.filter(route_id=record.item.route_id)
            # The choices come from the rows the page already loaded: no query per protocol item.
            field.choices = [(m.pk, f"{m.who}: {m.what}") for m in measures]

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome in ProtocolItem.MEASURE_OUTCOMES and "measures" in self.fields and not data.get("measures"):
            self.add_error("measures", _("Choose the support measures the decision is about."))
        if outcome == ProtocolItem.Outcome.OTHER and data.get("measures"):
            self.add_error("measures", _("Choose measures only for a decision that approves or changes them."))
        return data


def votes_ok(forms_by_record: list[RecordForm], voters: int) -> bool:
    """Add an error to each record whose votes add up to more than the voting members present."""
    fine = True
    for form in forms_by_record:
        data = form.cleaned_data
        cast = sum(data.get(k) or 0 for k in ("votes_for", "votes_against", "votes_abstained"))
        if cast > voters:
            form.add_error(
                "votes_for",
                _("%(votes)s votes, but only %(voters)s voting members are recorded as present.")
                % {"votes": cast, "voters": voters},
            )
            fine = False
    return fine
