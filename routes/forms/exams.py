"""Forms of the exam pages: a session, a timetable file, confirming and booking an arrangement, the day view."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm

from ..models import ExamArrangement, ExamSession

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MAX_UPLOAD = 2 * 1024 * 1024


class SessionForm(BoundedForm):
    course = forms.ModelChoiceField(
        queryset=None,
        label=_("Course"),
        empty_label=_("Choose a course"),
        error_messages={"required": _("Choose a course."), "invalid_choice": _("Choose a course from the list.")},
    )
    day = forms.DateField(
        label=_("Date of the exam"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Enter the date of the exam."), "invalid": _("Enter a real date.")},
    )
    start = forms.TimeField(
        label=_("Start"),
        widget=TIME_WIDGET,
        error_messages={"required": _("Enter the start time."), "invalid": _("Enter a time such as 09:00.")},
    )
    duration = forms.IntegerField(
        label=_("Standard duration, minutes"),
        min_value=10,
        max_value=600,
        error_messages={
            "required": _("Enter the duration in minutes."),
            "invalid": _("Enter a whole number."),
            "min_value": _("Enter a duration from 10 to 600 minutes."),
            "max_value": _("Enter a duration from 10 to 600 minutes."),
        },
    )
    form = forms.ChoiceField(
        label=_("Form of the exam"),
        choices=ExamSession.Form.choices,
        error_messages={"invalid_choice": _("Choose written, oral or on a computer.")},
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses

    @property
    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.datetime.combine(data["day"], data["start"]))


class TimetableForm(BoundedForm):
    file = forms.FileField(
        label=_("Timetable file"),
        help_text=_("CSV or XLSX with the columns course, date, start, duration, form, location; or an .ics calendar."),
        error_messages={"required": _("Choose a file."), "empty": _("The file is empty.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class ConfirmForm(BoundedForm):
    start = forms.TimeField(
        label=_("Start"),
        widget=TIME_WIDGET,
        error_messages={"required": _("Enter the start time."), "invalid": _("Enter a time such as 09:00.")},
    )
    end = forms.TimeField(
        label=_("End"),
        widget=TIME_WIDGET,
        error_messages={"required": _("Enter the end time."), "invalid": _("Enter a time such as 09:00.")},
    )
    separate_room = forms.BooleanField(label=_("Separate room"), required=False)
    computer = forms.BooleanField(label=_("Computer with assistive software"), required=False)
    assistant = forms.ChoiceField(
        label=_("Assistant"),
        choices=ExamArrangement.Assistant.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose an assistant from the list.")},
    )
    note = forms.CharField(label=_("Note for the exam office"), max_length=500, required=False)

    def times(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        data = self.cleaned_data
        return (
            timezone.make_aware(datetime.datetime.combine(day, data["start"])),
            timezone.make_aware(datetime.datetime.combine(day, data["end"])),
        )


class BookForm(BoundedForm):
    room = forms.ModelChoiceField(
        queryset=None,
        label=_("Room"),
        empty_label=_("Choose a room"),
        error_messages={"required": _("Choose a room."), "invalid_choice": _("Choose a room from the list.")},
    )
    invigilator = forms.ModelChoiceField(
        queryset=None,
        label=_("Invigilator"),
        empty_label=_("Choose an invigilator"),
        error_messages={
            "required": _("Choose an invigilator."),
            "invalid_choice": _("Choose an invigilator from the list."),
        },
    )

    def __init__(self, *args, rooms, invigilators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = _room_label
        self.fields["invigilator"].queryset = invigilators
        self.fields["invigilator"].label_from_instance = lambda user: user.full_name


def _room_label(room) -> str:
    features = [
        str(label)
        for present, label in (
            (room.accessible, _("step-free")),
            (room.quiet, _("quiet")),
            (room.computer, _("computer")),
        )
        if present
    ]
    seats = _("%(seats)d seats") % {"seats": room.capacity}
    return ", ".join([room.name, str(seats), *features])


class DayForm(BoundedForm):
    day = forms.DateField(
        label=_("Day"),
        widget=DATE_WIDGET,
        required=False,
        error_messages={"invalid": _("Enter a real date.")},
    )
