"""audit.services._insert_taking_chain_lock re-implements the insert of Model.save() to take the chain's lock in
the same statement (one statement fewer per logged read). Its docstring lists the Django names it relies on; these
tests fail loudly when an upgrade changes one of them, or when the row and the signals it makes stop being what
save(force_insert=True) makes."""

import inspect

import pytest
from django.db import connection
from django.db.models import Field, Model, signals
from django.db.models.options import Options
from django.forms.models import model_to_dict

from audit.models import AccessLog
from audit.services import _insert_taking_chain_lock, takes_lock_with_insert
from tests.factories import UserFactory

# Runs wherever PostgreSQL runs, so always under CI=true (settings/test.py refuses SQLite there).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the combined insert exists on PostgreSQL only"),
]

UPGRADE = "{name} changed in this Django version: check audit.services._insert_taking_chain_lock against save()"


def test_the_options_and_field_names_it_uses_exist_with_their_signatures():
    meta = AccessLog._meta
    assert isinstance(meta, Options)
    assert meta.auto_field is meta.pk, UPGRADE.format(name="Options.auto_field")
    assert meta.pk in meta.local_concrete_fields, UPGRADE.format(name="Options.local_concrete_fields")
    for name, parameters in {
        "pre_save": ["self", "model_instance", "add"],
        "get_db_prep_save": ["self", "value", "connection"],
        "cast_db_type": ["self", "connection"],
    }.items():
        assert list(inspect.signature(getattr(Field, name)).parameters) == parameters, UPGRADE.format(
            name=f"Field.{name}"
        )
    # save_base sends the signals whose arguments the function repeats by hand.
    source = inspect.getsource(Model.save_base)
    assert "pre_save.send(" in source and "post_save.send(" in source, UPGRADE.format(name="Model.save_base")


def _entry(user) -> AccessLog:
    return AccessLog(user=user, roles="specialist", action=AccessLog.Action.VIEW_CASE, path="/x/", ip_address=None)


def _saved_with_signals(user, insert) -> tuple[AccessLog, list[tuple[str, dict]]]:
    sent = []

    def pre(**kwargs):
        sent.append(("pre_save", {k: v for k, v in kwargs.items() if k not in {"signal", "instance"}}))

    def post(**kwargs):
        sent.append(("post_save", {k: v for k, v in kwargs.items() if k not in {"signal", "instance"}}))

    signals.pre_save.connect(pre, sender=AccessLog, weak=False)
    signals.post_save.connect(post, sender=AccessLog, weak=False)
    try:
        entry = _entry(user)
        insert(entry)
    finally:
        signals.pre_save.disconnect(pre, sender=AccessLog)
        signals.post_save.disconnect(post, sender=AccessLog)
    return entry, sent


def test_it_writes_the_row_and_sends_the_signals_save_does():
    assert takes_lock_with_insert()
    user = UserFactory()
    by_save, save_signals = _saved_with_signals(user, lambda entry: entry.save(force_insert=True))
    by_insert, insert_signals = _saved_with_signals(user, _insert_taking_chain_lock)

    assert insert_signals == save_signals, UPGRADE.format(name="the arguments of pre_save / post_save")
    assert (
        (by_insert._state.adding, by_insert._state.db)
        == (False, "default")
        == (
            by_save._state.adding,
            by_save._state.db,
        )
    ), UPGRADE.format(name="Model._state")
    assert by_insert.pk is not None and by_insert.pk != by_save.pk
    stored_insert = model_to_dict(AccessLog.objects.get(pk=by_insert.pk), exclude=["id", "created_at"])
    stored_save = model_to_dict(AccessLog.objects.get(pk=by_save.pk), exclude=["id", "created_at"])
    assert stored_insert == stored_save
    assert AccessLog.objects.get(pk=by_insert.pk).created_at == by_insert.created_at  # pre_save(add=True) ran
