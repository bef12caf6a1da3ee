"""Who did it: the acting user recorded on every history row.

django-simple-history takes the user from the current request. Services and Celery tasks run where there may be
no request (or a request by someone else on whose behalf the system acts), so they say who acts with
`acting_as(user)`; inside it, every history row written by this thread names that user.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from simple_history.models import HistoricalRecords

_acting_user: ContextVar = ContextVar("acting_user", default=None)


@contextmanager
def acting_as(user) -> Iterator[None]:
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)


def acting_user():
    """Who the running code acts for: the `acting_as` user, else the signed-in user of the current request.

    For work handed to Celery: pass `acting_user().pk` with the task and `acting_as` it there, so the history rows
    the worker writes name the person whose action caused them.
    """
    actor = _acting_user.get()
    if actor is not None:
        return actor
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def history_user_getter(instance=None, request=None, **kwargs):
    actor = _acting_user.get()
    if actor is not None:
        return actor
    if request is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
        return request.user
    return None


def tracked(**kwargs) -> HistoricalRecords:
    """HistoricalRecords for a domain model, reading the acting user from `acting_as` first."""
    kwargs.setdefault("get_user", history_user_getter)
    return HistoricalRecords(**kwargs)
