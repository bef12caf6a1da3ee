"""Reads of the audit trail for its pages: readable history diffs and the access log, filtered to who may see them."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.utils import get_m2m_reverse_field_name

from inclusion_centre.accounts.grants import grant_table, granted
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import STAFF_ROLES, Role

from .models import AccessLog, Disclosure
from .services import DISCLOSURE_RECORDERS

# The project's own apps: the models whose history the audit pages show and whose history a test requires.
PROJECT_APPS = ("accounts", "students", "routes", "documents", "audit", "outbox")

HISTORY_PER_PAGE = 20
ACCESS_LOG_PER_PAGE = 50


def can_view_history(user: User) -> bool:
    return user.has_perm("audit.view_history")


def can_view_access_log(user: User) -> bool:
    return user.has_perm("audit.view_accesslog")


# --- The register of disclosures (regulation §10.3) -------------------------------------------------------------

DISCLOSURE_READERS = (Role.CENTRE_HEAD, Role.ADMINISTRATION, Role.AUDITOR)


def can_record_disclosure(user: User) -> bool:
    """Centre staff (the centre head, the specialists) record the disclosures they make."""
    return user.is_authenticated and any(user.has_role(role) for role in DISCLOSURE_RECORDERS)


def can_view_disclosures(user: User) -> bool:
    """The register: the centre head, the administration and the data protection officer."""
    return user.is_authenticated and any(user.has_role(role) for role in DISCLOSURE_READERS)


def disclosures(*, ground: str = "", recipient: str = "", student_id: int | None = None, since=None, until=None):
    """The register, newest first, with the student and who recorded each, filtered as given."""
    items = Disclosure.objects.select_related("student__user", "recorded_by")
    if ground:
        items = items.filter(ground=ground)
    if recipient:
        items = items.filter(recipient__icontains=recipient)
    if student_id is not None:
        items = items.filter(student_id=student_id)
    if since is not None:
        items = items.filter(disclosed_on__gte=since)
    if until is not None:
        items = items.filter(disclosed_on__lte=until)
    return items.order_by("-disclosed_on", "-pk")


def tracked_models() -> list[type[models.Model]]:
    """Every model of the project's apps that keeps history, in app order."""
    return [
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if hasattr(model._meta, "simple_history_manager_attribute")
    ]


# The apps above may keep some records from staff whatever their role (an application nobody has submitted yet):
# audit cannot ask them (it is below them), so they register here from AppConfig.ready(). A guard takes the user
# and the record's id and says whether the user may see that record's history.
_HISTORY_GUARDS: dict[str, Callable[[User, int], bool]] = {}


def register_history_guard(model_label: str, guard: Callable[[User, int], bool]) -> None:
    """`model_label` is "app_label.modelname" (lower case)."""
    _HISTORY_GUARDS[model_label] = guard


# Fields holding health data (special-category personal data), by model label: masked in the history pages unless
# the reader gives a reason, which the access log records. The apps that own the models register theirs from
# AppConfig.ready() (audit cannot import them).
_HEALTH_FIELDS: dict[str, frozenset[str]] = {}


def register_health_fields(model_label: str, names) -> None:
    """`model_label` is "app_label.modelname" (lower case); `names` are field names, many-to-many ones included."""
    _HEALTH_FIELDS[model_label] = _HEALTH_FIELDS.get(model_label, frozenset()) | frozenset(names)


def health_fields(model: type[models.Model]) -> frozenset[str]:
    return _HEALTH_FIELDS.get(model._meta.label_lower, frozenset())


def tracked_model(app_label: str, model_name: str) -> type[models.Model]:
    """The tracked model named in a URL; Http404 for anything else."""
    if app_label not in PROJECT_APPS:
        raise Http404
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as missing:
        raise Http404 from missing
    if not hasattr(model._meta, "simple_history_manager_attribute"):
        raise Http404
    return model


# --- History diffs ---------------------------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    before: str | None = None
    after: str | None = None
    masked: bool = False  # health data, not shown: the values are None, the row says that the field changed


@dataclass
class HistoryChange:
    """One historical record as the page shows it: who did what when, and each changed field."""

    record: models.Model
    kind: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}[self.kind]


@dataclass
class History:
    model: type[models.Model]
    object_id: int
    title: str
    latest: models.Model  # the newest historical record: what the object is (or was, when deleted)
    page: Page
    changes: list[HistoryChange]
    masked: bool = False  # some health field on this page was left out (no reason given)
    unmasked: bool = False  # health fields are shown, for the reason given

    @property
    def type_label(self) -> str:
        return capfirst(self.model._meta.verbose_name)


def _label_of(obj) -> str:
    # Roles are groups named by their code; show the role's name in the reader's language.
    if isinstance(obj, Group) and obj.name in Role.values:
        return str(Role(obj.name).label)
    return str(obj)


def _related_labels(wanted: dict[type[models.Model], set]) -> dict[tuple, str]:
    """str() of each referenced row, one query per related model; rows' own foreign keys are joined, since their
    str() often names one (a student is their user's name)."""
    labels = {}
    for model, ids in wanted.items():
        ids.discard(None)
        if not ids:
            continue
        joins = [f.name for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]
        for pk, obj in model._base_manager.select_related(*joins).in_bulk(list(ids)).items():
            labels[(model, pk)] = _label_of(obj)
    return labels


def _plain_fields(model: type[models.Model], history_model) -> list[models.Field]:
    """The fields a reader sees in a diff: tracked, editable, not the primary key, not many-to-many."""
    return [
        model._meta.get_field(f.name)
        for f in history_model.tracked_fields
        if f.editable and not f.primary_key and f.name != "id"
    ]


def _m2m_snapshots(history_model, records: list) -> tuple[dict, dict]:
    """For each tracked many-to-many field: {history_id: sorted related ids}, and the related models to label.

    One query per field for the whole page, where diff_against() would make two per field and record."""
    snapshots, wanted = {}, {}
    ids = [record.history_id for record in records]
    for m2m_field in history_model._history_m2m_fields:
        m2m_model = getattr(history_model, m2m_field.name).model
        target = get_m2m_reverse_field_name(m2m_field)
        per_record: dict[int, list] = {history_id: [] for history_id in ids}
        for history_id, related_id in m2m_model.objects.filter(history_id__in=ids).values_list(
            "history_id", f"{target}_id"
        ):
            per_record[history_id].append(related_id)
        snapshots[m2m_field] = {key: sorted(value) for key, value in per_record.items()}
        wanted.setdefault(m2m_field.related_model, set()).update(i for value in per_record.values() for i in value)
    return snapshots, wanted


def _display(model_field: models.Field, value, labels: dict) -> str | None:
    """A value as the reader understands it: the related row's name, a choice's label, a local date."""
    if value is None or value == "":
        return None
    if model_field.is_relation:
        label = labels.get((model_field.related_model, value))
        return label if label is not None else _("%(id)s (deleted)") % {"id": value}
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "d.m.Y H:i:s")
    if isinstance(value, datetime.date):
        return date_format(value, "d.m.Y")
    return str(value)


def _readable_changes(raw, labels: dict, hidden: frozenset[str]) -> tuple[list[HistoryChange], bool]:
    """Each change with its fields as the reader sees them; a field in `hidden` (health data, no reason given) is
    listed as changed without its values. Also returns whether any field was hidden."""
    changes, masked = [], False
    for change, pairs in raw:
        for model_field, before, after in pairs:
            if model_field.name in hidden:
                if before not in (None, "", []) or after not in (None, "", []):
                    change.fields.append(FieldChange(capfirst(model_field.verbose_name), masked=True))
                    masked = True
                continue
            if model_field.many_to_many:
                before_shown = ", ".join(sorted(_display(model_field, i, labels) for i in before or [])) or None
                after_shown = ", ".join(sorted(_display(model_field, i, labels) for i in after or [])) or None
            else:
                before_shown = _display(model_field, before, labels)
                after_shown = _display(model_field, after, labels)
            if before_shown is None and after_shown is None:
                continue  # an empty field of a new record says nothing
            change.fields.append(FieldChange(capfirst(model_field.verbose_name), before_shown, after_shown))
        changes.append(change)
    return changes, masked


def _changed_pairs(model, record, previous, snapshots: dict) -> list[tuple[models.Field, object, object]]:
    """(field, before, after) of what `record` changed since `previous`: every field of a creation (or of the
    oldest record kept), the fields simple-history's diff_against() finds and the changed many-to-many snapshots of
    an update, nothing for a deletion."""
    history_model = model.history.model
    m2m_fields = history_model._history_m2m_fields
    if record.history_type == "+" or previous is None:
        pairs = [(f, None, getattr(record, f.attname)) for f in _plain_fields(model, history_model)]
        return pairs + [(f, None, snapshots[f][record.history_id]) for f in m2m_fields]
    if record.history_type != "~":
        return []
    delta = record.diff_against(previous, excluded_fields=[f.name for f in m2m_fields])
    pairs = [(model._meta.get_field(item.field), item.old, item.new) for item in delta.changes]
    for m2m_field in m2m_fields:
        before, after = snapshots[m2m_field][previous.history_id], snapshots[m2m_field][record.history_id]
        if before != after:
            pairs.append((m2m_field, before, after))
    return pairs


def _history_page(records: QuerySet, page_number) -> tuple[Page, list]:
    """The page of history records, and its records with one more: the record the oldest one on the page is
    compared with. Http404 for an object that never had any history."""
    paginator = Paginator(records, HISTORY_PER_PAGE)
    if paginator.count == 0:
        raise Http404
    page = paginator.get_page(page_number)
    start = (page.number - 1) * HISTORY_PER_PAGE
    return page, list(records.select_related("history_user")[start : start + HISTORY_PER_PAGE + 1])


def history_of(user: User, *, app_label: str, model_name: str, pk: int, page_number=None, reason: str = "") -> History:
    """The history of one object, newest first, a page at a time, each change as readable field diffs.

    What changed, by whom and when is always shown; the values of health fields (`register_health_fields`) only
    when a `reason` is given (the caller logs it). Without one, such a field is listed as changed, value hidden.

    Only for holders of audit.view_history (the centre head, the auditor); Http404 for anyone else, for a model
    without history and for an object that never had any. A bounded number of queries whatever the page holds:
    the count, the records with their users, one per tracked many-to-many field and one per related model shown.
    Field diffs come from simple-history's diff_against(); many-to-many snapshots are read for the whole page.
    """
    if not can_view_history(user):
        raise Http404
    model = tracked_model(app_label, model_name)
    guard = _HISTORY_GUARDS.get(model._meta.label_lower)
    if guard is not None and not guard(user, pk):
        raise Http404
    history_model = model.history.model
    records = history_model.objects.filter(**{model._meta.pk.attname: pk}).order_by("-history_date", "-history_id")
    page, rows = _history_page(records, page_number)
    shown = rows[:HISTORY_PER_PAGE]

    snapshots, wanted = _m2m_snapshots(history_model, rows)
    raw: list[tuple[HistoryChange, list[tuple[models.Field, object, object]]]] = []
    for index, record in enumerate(shown):
        previous = rows[index + 1] if index + 1 < len(rows) else None
        pairs = _changed_pairs(model, record, previous, snapshots)
        for model_field, before, after in pairs:
            if model_field.is_relation and not model_field.many_to_many:
                wanted.setdefault(model_field.related_model, set()).update({before, after})
        raw.append((HistoryChange(record=record, kind=record.history_type), pairs))

    hidden = health_fields(model) if not reason.strip() else frozenset()
    changes, masked = _readable_changes(raw, _related_labels(wanted), hidden)

    latest = rows[0] if page.number == 1 else records.first()
    title = _("%(type)s no. %(id)s") % {"type": capfirst(model._meta.verbose_name), "id": pk}
    unmasked = bool(health_fields(model)) and not hidden
    return History(
        model=model,
        object_id=pk,
        title=title,
        latest=latest,
        page=page,
        changes=changes,
        masked=masked,
        unmasked=unmasked,
    )


# --- The access log --------------------------------------------------------------------------------------------


def access_log_for(user: User) -> QuerySet[AccessLog]:
    """Every access-log entry, newest first, for the auditor; Http404 for anyone without audit.view_accesslog."""
    if not can_view_access_log(user):
        raise Http404
    return AccessLog.objects.select_related("user", "content_type", "student__user").order_by("-created_at", "-pk")


def staff_users() -> QuerySet[User]:
    """People whose reads the auditor looks into: holders of a staff role."""
    return User.objects.filter(groups__name__in=[role.value for role in STAFF_ROLES]).distinct().order_by("full_name")


@dataclass
class FileAccesses:
    """What a student (or their representative) is shown of the reads of their personal file."""

    entries: QuerySet[AccessLog]
    several_students: bool
    disclosures: list = field(default_factory=list)


def accesses_to_my_file(user: User) -> FileAccesses:
    """Reads by others of the files of the students `user` is or represents, newest first.

    The student's own reads and their representatives' are left out: the page answers "who else has opened my
    file". Http404 for a user who is no student and represents none.
    """
    # The student model is the one the log links to (students sits above audit: no import of its models); a
    # representative holds `students.act_for_student` on each student they act for (the object grant).
    students = AccessLog._meta.get_field("student").related_model.objects
    represented = granted(user, "students.act_for_student", students.all()).values("pk")
    student_ids = list(students.filter(Q(user=user) | Q(pk__in=represented)).values_list("pk", flat=True))
    if not student_ids:
        raise Http404
    applicant_side = set(students.filter(pk__in=student_ids).values_list("user_id", flat=True))
    representatives = grant_table(students.model).objects.filter(
        content_object_id__in=student_ids, permission__codename="act_for_student"
    )
    applicant_side |= set(representatives.values_list("user_id", flat=True))
    entries = (
        AccessLog.objects.filter(student_id__in=student_ids, user__isnull=False)
        .exclude(user_id__in=applicant_side)
        .select_related("user", "content_type", "student__user")
        .order_by("-created_at", "-pk")
    )
    shown = list(
        Disclosure.objects.filter(student_id__in=student_ids)
        .select_related("student__user")
        .order_by("-disclosed_on", "-pk")
    )
    return FileAccesses(entries=entries, several_students=len(student_ids) > 1, disclosures=shown)
