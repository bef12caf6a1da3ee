"""Import of reference data exported by the university's student information system (Platonus, Univer, …).

`import_reference(kind=…, file=…, actor=…)` reads a CSV or XLSX file of one kind (see KINDS and docs/importing.md),
checks every row, imports the good ones and returns a Report of what was created,
updated and rejected, with the line, column and reason of every refused cell. Importing the same file again changes
nothing: rows are matched on their external identifiers (lecturers on their e-mail address).
"""

import time
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_noop

from inclusion_centre.accounts.invitations import invite_by_ids
from inclusion_centre.accounts.models import User
from inclusion_centre.history import acting_as

from .checks import RowCheck
from .kinds import CREATE, KINDS, Column, Importer, Plan
from .reading import FileUnreadable, open_table
from .report import Problem, Report

__all__ = ["IMPORT_PERMISSION", "KINDS", "Column", "Problem", "Report", "import_reference"]

IMPORT_PERMISSION = "students.add_student"
# Sent after a file was imported (not on a dry run), with `kind` and `actor`: the routes app follows new enrolments
# (routes/apps.py) without this app knowing about routes.
imported = Signal()
# Checked rows written per transaction: a batch is all or nothing, and a row is never written in part.
BATCH_ROWS = 5000


def import_reference(
    *, kind: str, file: BinaryIO, actor: User | None, dry_run: bool = False, full: bool = False, invite: bool = True
) -> Report:
    """Import one file of `kind` (a key of KINDS) from the binary stream `file`.

    With `dry_run` nothing is written and the report says what would be. With `full` the file is taken as a
    complete export and the report also lists the records of that kind it does not mention (nothing is deleted).
    `actor` is recorded on every history row; a user without the sysadmin's rights raises PermissionDenied
    (None is the command line, where whoever runs it already has the server). With `invite`, every account the
    import created is sent an invitation to set its first password (accounts.invitations).
    """
    if actor is not None and not actor.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    importer = KINDS[kind](actor=actor)
    report = Report(kind=kind, dry_run=dry_run, full=full)
    started = time.monotonic()
    try:
        with open_table(file) as rows, acting_as(actor):
            header = next(rows, None)
            columns = _columns(importer, header, report) if header else None
            if header is None:
                report.file_problems.append(Problem(None, "", gettext_noop("The file has no rows.")))
            if columns is not None:
                importer.prepare()
                _import_rows(importer, rows, columns, len(header[1]), report, dry_run=dry_run)
                if full:
                    report.missing = importer.missing()
        if not dry_run and columns is not None:
            imported.send(sender=importer.__class__, kind=kind, actor=actor)
        if invite and not dry_run and importer.new_user_ids:
            report.invited = len(invite_by_ids(user_ids=importer.new_user_ids, actor=actor))
    except FileUnreadable as error:
        report.file_problems.append(error.problem)
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _columns(importer: Importer, header: tuple[int, list[str]], report: Report) -> dict[str, int] | None:
    """Where each known column is in the file, or None (and a file problem) when the header will not do."""
    line, cells = header
    names = [cell.strip().lower() for cell in cells]
    known = {column.name for column in importer.columns}
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        report.file_problems.append(
            Problem(
                line,
                "",
                gettext_noop("These columns appear more than once: %(columns)s."),
                {"columns": ", ".join(twice)},
            )
        )
    lacking = [column.name for column in importer.columns if column.required and column.name not in names]
    if lacking:
        report.file_problems.append(
            Problem(
                line,
                "",
                gettext_noop("The file lacks these required columns: %(columns)s. Is it a file of another kind?"),
                {"columns": ", ".join(lacking)},
            )
        )
    unused = [name for name in names if name and name not in known]
    if unused:
        report.notes.append(
            Problem(
                line,
                "",
                gettext_noop("These columns are not used and were left out: %(columns)s."),
                {"columns": ", ".join(unused)},
            )
        )
    if twice or lacking:
        return None
    return {name: index for index, name in enumerate(names) if name in known}


def _import_rows(
    importer: Importer, rows, columns: dict[str, int], width: int, report: Report, *, dry_run: bool
) -> None:
    batch: list[Plan] = []
    for line, cells in rows:
        report.rows += 1
        check = RowCheck(
            line, {name: cells[index].strip() if index < len(cells) else "" for name, index in columns.items()}
        )
        if any(cell.strip() for cell in cells[width:]):
            check.problem(
                "",
                gettext_noop(
                    "The row has more cells than the header has columns: a value with a comma or semicolon "
                    "may lack its quotation marks."
                ),
            )
        plan = importer.check(check)
        if check.problems:
            report.reject(check.problems)
        elif plan is None:
            report.unchanged += 1
        else:
            batch.append(plan)
            if len(batch) >= BATCH_ROWS:
                _write(importer, batch, report, dry_run=dry_run)
                batch = []
    _write(importer, batch, report, dry_run=dry_run)


def _write(importer: Importer, batch: list[Plan], report: Report, *, dry_run: bool) -> None:
    if not batch:
        return
    written = batch
    if not dry_run:
        # A batch that rolls back leaves no accounts behind: forget the ids it noted.
        committed_ids = len(importer.new_user_ids)
        try:
            with transaction.atomic():
                importer.write(batch)
        except IntegrityError:
            del importer.new_user_ids[committed_ids:]
            # Someone changed the same records while the file was being read: write the rows one by one, so only
            # the rows that now clash are refused.
            written = []
            for plan in batch:
                committed_ids = len(importer.new_user_ids)
                try:
                    with transaction.atomic():
                        importer.write([plan])
                except IntegrityError:
                    del importer.new_user_ids[committed_ids:]
                    report.reject(
                        [
                            Problem(
                                plan.line,
                                "",
                                gettext_noop(
                                    "The row clashes with a change made while the file was being imported. "
                                    "Import the file again."
                                ),
                            )
                        ]
                    )
                else:
                    written.append(plan)
    for plan in written:
        if plan.action == CREATE:
            report.created += 1
        else:
            report.updated += 1
            report.changed(plan.line, plan.key, plan.changed_columns)
