"""Checking one row's cells: each check returns the clean value or records why the cell is refused."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_noop

from .report import Problem

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
EMAIL_MAX_LENGTH = 254


class RowCheck:
    def __init__(self, line: int, values: dict[str, str]):
        self.line = line
        self.values = values  # column → stripped text, only for the columns the file has
        self.problems: list[Problem] = []

    def present(self, column: str) -> bool:
        return column in self.values

    def problem(self, column: str, msgid: str, **params) -> None:
        self.problems.append(Problem(line=self.line, column=column, msgid=msgid, params=params))

    def _raw(self, column: str, required: bool) -> str:
        value = self.values.get(column, "")
        if required and not value:
            self.problem(column, gettext_noop("This column must not be empty."))
        return value

    def text(self, column: str, *, max_length: int, required: bool = False) -> str:
        value = self._raw(column, required)
        if len(value) > max_length:
            self.problem(
                column,
                gettext_noop("The value is too long: %(length)s characters, at most %(max)s are allowed."),
                length=len(value),
                max=max_length,
            )
        return value

    def integer(self, column: str, *, low: int, high: int, required: bool = False) -> int | None:
        value = self._raw(column, required)
        if not value:
            return None
        if not re.fullmatch(r"[+-]?\d+", value) or not low <= int(value) <= high:
            self.problem(column, gettext_noop("Enter a whole number from %(low)s to %(high)s."), low=low, high=high)
            return None
        return int(value)

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        value = self._raw(column, required)
        if not value:
            return None
        for date_format in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(value, date_format).date()
            except ValueError:
                continue
        self.problem(column, gettext_noop("Enter a date as YYYY-MM-DD or DD.MM.YYYY, for example 2026-09-01."))
        return None

    def email(self, column: str) -> str:
        """The address in lower case, as accounts store it (sign-in ignores case)."""
        value = self._raw(column, required=True)
        if value:
            try:
                if len(value) > EMAIL_MAX_LENGTH:
                    raise ValidationError("too long")
                validate_email(value)
            except ValidationError:
                self.problem(column, gettext_noop("“%(value)s” is not a valid e-mail address."), value=value)
                return ""
        return value.lower()

    def choice(self, column: str, choices, *, default: str) -> str:
        value = self._raw(column, required=False).lower()
        if not value:
            return default
        if value not in choices:
            self.problem(column, gettext_noop("Use one of: %(choices)s."), choices=", ".join(choices))
            return default
        return value

    def reference(self, column: str, known: dict, *, required: bool = True):
        """What the identifier in `column` stands for in `known`, or None (recorded as a problem when unknown)."""
        value = self._raw(column, required)
        if not value:
            return None
        if value not in known:
            self.problem(
                column,
                gettext_noop("Nothing with the identifier “%(value)s” has been imported. Import that file first."),
                value=value,
            )
            return None
        return known[value]
