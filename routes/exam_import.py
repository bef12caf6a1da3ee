"""Reading an exam timetable into rows for routes.services.exams.exam_sessions_import.

CSV (comma or semicolon) and XLSX: a header row, then one exam a line with the columns `course` (the course code),
`date` (2027-01-15 or 15.01.2027), `start` (09:00), `duration` (minutes), `form` (written, oral, computer; empty
means written) and `location`. An `.ics` file (parsed with icalendar): each VEVENT is an exam; the course code is the
first word of its SUMMARY, the duration DTEND − DTSTART, the location LOCATION. A line the reader cannot make sense
of becomes a row with the problem left empty for the service to name, so the user sees every bad line at once.
"""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from students.models import Course

from .services.exams import SessionRow

MAX_ROWS = 5000
COLUMNS = ("course", "date", "start", "duration", "form", "location")


def _date(text: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _time(text: str) -> datetime.time | None:
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.datetime.strptime(text.strip(), pattern).time()
        except ValueError:
            continue
    return None


def _int(text) -> int | None:
    try:
        return int(str(text).strip())
    except ValueError:
        return None


def _cell(value) -> str:
    if isinstance(value, datetime.datetime):  # a date cell reads as midnight of the day
        return value.strftime("%Y-%m-%d" if value.time() == datetime.time.min else "%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _table_rows(table: list[list[str]]) -> list[SessionRow]:
    if not table:
        return []
    header = [name.strip().lower() for name in table[0]]
    missing = [name for name in COLUMNS[:4] if name not in header]
    if missing:
        raise ValidationError(
            {"file": _("The first line must name the columns: %(columns)s.") % {"columns": ", ".join(COLUMNS)}}
        )
    at = {name: header.index(name) for name in COLUMNS if name in header}
    records = [dict((name, (line[i] if i < len(line) else "").strip()) for name, i in at.items()) for line in table[1:]]
    codes = {r["course"] for r in records}
    courses = {c.code: c for c in Course.objects.filter(code__in=codes)}
    rows = []
    for number, record in enumerate(records, start=2):
        if not any(record.values()):
            continue
        day, start = _date(record["date"]), _time(record["start"])
        starts_at = timezone.make_aware(datetime.datetime.combine(day, start)) if day and start else None
        rows.append(
            SessionRow(
                course=courses.get(record["course"]),
                course_code=record["course"],
                starts_at=starts_at,
                duration=_int(record["duration"]),
                form=record.get("form", "").lower() or "written",
                location=record.get("location", ""),
                line=number,
            )
        )
    return rows


def _csv_table(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
    return [list(line) for line in csv.reader(io.StringIO(text), dialect)]


def _xlsx_table(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    return [[_cell(value) for value in line] for line in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)]


def _ics_rows(data: bytes) -> list[SessionRow]:
    import icalendar

    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))[:MAX_ROWS]
    codes = {str(e.get("SUMMARY", "")).split(" ")[0] for e in events}
    courses = {c.code: c for c in Course.objects.filter(code__in=codes)}
    local = ZoneInfo(settings.TIME_ZONE)
    rows = []
    for number, event in enumerate(events, start=1):
        code = str(event.get("SUMMARY", "")).split(" ")[0]
        start, end = event.decoded("DTSTART", None), event.decoded("DTEND", None)
        duration = None
        if isinstance(start, datetime.datetime):
            start = start if timezone.is_aware(start) else start.replace(tzinfo=local)
            if isinstance(end, datetime.datetime):
                end = end if timezone.is_aware(end) else end.replace(tzinfo=local)
                duration = int((end - start).total_seconds() // 60)
        else:
            start = None
        rows.append(
            SessionRow(
                course=courses.get(code),
                course_code=code,
                starts_at=start,
                duration=duration,
                form="written",
                location=str(event.get("LOCATION", "")),
                line=number,
            )
        )
    return rows


def read_timetable(name: str, data: bytes) -> list[SessionRow]:
    """The rows of an uploaded timetable; ValidationError on the `file` field when it cannot be read at all."""
    kind = name.rsplit(".", 1)[-1].lower()
    try:
        if kind == "ics":
            return _ics_rows(data)
        if kind == "xlsx":
            table = _xlsx_table(data)
        elif kind == "csv":
            table = _csv_table(data)
        else:
            raise ValidationError({"file": _("Upload a .csv, .xlsx or .ics file.")})
    except ValidationError:
        raise
    except Exception as error:  # a damaged or mislabelled file: every reader raises its own kind
        raise ValidationError({"file": _("The file cannot be read. Check that it is a timetable.")}) from error
    if len(table) > MAX_ROWS + 1:
        raise ValidationError({"file": _("A timetable may have at most %(max)d lines.") % {"max": MAX_ROWS}})
    return _table_rows(table)
