"""Reads shared by the domains' selectors."""

from students.models import Application


def _case_rows(application: Application, key: str, read) -> list:
    """What the case page reads of a case in several places (its section, the timeline, the next step), read once
    per request: kept on the application instance the page was given."""
    rows = application.__dict__.setdefault("_case_rows", {})
    if key not in rows:
        rows[key] = read()
    return rows[key]
