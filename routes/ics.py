"""The .ics invitation of a team meeting (RFC 5545, with the METHODs of RFC 5546), written by hand.

A VCALENDAR with one VEVENT is a few lines of text; a library would add a dependency for what the two escaping
and folding rules below already do. The summary names no student and no diagnosis: e-mail attachments are read
by calendar servers and shown on lock screens.
"""

import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import TeamMeeting

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _escape(text: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (§3.1), never inside a UTF-8 character: Kazakh letters are 2 bytes."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # a continuation line starts with one space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def meeting_ics(meeting: TeamMeeting, *, recipient, method: str = REQUEST, now: datetime.datetime | None = None) -> str:
    """The invitation (REQUEST) or the withdrawal of it (CANCEL) for one recipient, in their language.

    The UID stays the same for the life of the meeting and SEQUENCE is the meeting's, so a calendar replaces the
    event it already holds when the time changes and removes it on CANCEL. The only attendee named is the
    recipient; answers are given in the system, so no reply is asked of the calendar (RSVP=FALSE).
    """
    link = settings.SITE_URL.rstrip("/") + reverse("routes:meeting", args=[meeting.pk])
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        summary = _("Interdisciplinary team meeting")
        description = _("Confirm or decline the invitation in the centre's system: %(link)s") % {"link": link}
    location = ", ".join(part for part in (meeting.place, meeting.online_link) if part)
    organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "inclusion-centre@localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Inclusive Education Support Centre//Team meetings//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{meeting.uid}@{_host()}",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.ends_at)}",
        f"SEQUENCE:{meeting.sequence}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(location)}",
        f"URL:{link}",
        f"ORGANIZER:mailto:{organizer}",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{recipient.email}",
        f"STATUS:{'CANCELLED' if method == CANCEL else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


def exam_ics(item, *, recipient, method: str = REQUEST, now: datetime.datetime | None = None) -> str:
    """The calendar entry of one exam arrangement for one recipient (the student, the lecturer, the invigilator).

    UID is the arrangement's and SEQUENCE its `sequence`, raised by every new booking and by a cancellation, so a
    calendar replaces the entry it holds. The summary names the course only: no student, no measure.
    """
    link = settings.SITE_URL.rstrip("/") + reverse("routes:exam_arrangement", args=[item.pk])
    with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
        summary = _("Exam: %(course)s") % {"course": item.session.course}
        description = _("Details of the exam arrangement in the centre's system: %(link)s") % {"link": link}
    organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "inclusion-centre@localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Inclusive Education Support Centre//Exam arrangements//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:exam-{item.uid}@{_host()}",
        f"DTSTAMP:{_utc(now or timezone.now())}",
        f"DTSTART:{_utc(item.starts_at)}",
        f"DTEND:{_utc(item.ends_at)}",
        f"SEQUENCE:{item.sequence}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(item.room.name if item.room_id else '')}",
        f"URL:{link}",
        f"ORGANIZER:mailto:{organizer}",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{recipient.email}",
        f"STATUS:{'CANCELLED' if method == CANCEL else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)
