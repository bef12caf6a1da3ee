"""The dashboard's and the reports' figures, kept in the cache until the data behind them changes.

Every centre user sees the same figures, and counting 20,000 students, their routes and their status changes took
about 110 ms of each dashboard view and 75 ms of each report (bench/README.md). The rendered part of the page
that holds the figures is cached under a key made of the language, the day, the filters and a *data version*.
The version is one cache entry that every committed change to a case, a route, a status or a person replaces:
the next view after a change counts afresh, and nothing older than FIGURES_CACHE_SECONDS is ever shown.

The cache must be shared by every web process for this to hold (Redis in a deployment, settings.CACHES); the
in-process cache that `make run` uses without REDIS_URL serves one process, which is all `runserver` is.
Writes that send no model signal (bulk imports, retention, the seeders) call `data_changed()` themselves.
"""

import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from inclusion_centre import cache as resilient_cache

VERSION_KEY = "figures:version"

# What the figures are made of: every model of these apps, and these models of others.
WATCHED_APPS = {"students", "routes"}
WATCHED_MODELS = {"audit.StatusChange", "accounts.User", "auth.Group"}


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def data_version() -> str:
    """The current data version: other cached figures that must follow the data (the menu's work count) put it in
    their keys."""
    return _version()


def _publish() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def data_changed() -> None:
    """The figures are out of date: now, for this transaction's own later reads, and again once it commits, for
    anything another process cached in between from the rows as they were before the commit."""
    _publish()
    if connection.in_atomic_block and not any(
        callback is _publish for _savepoints, callback, _robust in connection.run_on_commit
    ):
        transaction.on_commit(_publish)  # once per transaction, however many rows it writes


def cached_fragment(name: str, parts: tuple, render: Callable[[], str]) -> str:
    """The HTML `render()` returns for these parts in the current language and data version, from the cache."""
    identity = repr((name, parts, get_language(), _version()))
    key = f"figures:{name}:{hashlib.sha256(identity.encode()).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, settings.FIGURES_CACHE_SECONDS)
    return html


def filter_fields(name: str, form, template: str) -> str:
    """A GET filter form's rendered fields (their choices read from the catalogues): the same for every user asking
    the same query in the same language, so cached like the figures while the form is valid; with its errors, as it
    is. Rendering the inbox's five fields took 3 ms of the page's 18."""

    def render() -> str:
        return render_to_string(template, {"form": form})

    if form.is_bound and not form.is_valid():
        return mark_safe(render())
    query = sorted((key, tuple(form.data.getlist(key))) for key in form.data) if form.is_bound else []
    return mark_safe(cached_fragment(name, tuple(query), render))


def _watched(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or getattr(sender, "instance_type", None) is not None:
        return False  # a history row (simple-history): the save of the row it records marked the change already
    return meta.app_label in WATCHED_APPS or meta.label in WATCHED_MODELS


def _on_change(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixture loading
    if _watched(sender):
        data_changed()


def _on_m2m_change(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") and (_watched(type(instance)) or _watched(kwargs.get("model"))):
        data_changed()


def connect() -> None:
    # Writes made while the cache was unreachable could not replace the version: replace it once it answers again.
    resilient_cache.on_recovery(_publish)
    post_save.connect(_on_change, dispatch_uid="figure_cache.post_save")
    post_delete.connect(_on_change, dispatch_uid="figure_cache.post_delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="figure_cache.m2m_changed")
