"""Measure what the audit chain costs: one audited read alone and with many at once, and verify_audit's walk.

    createdb wt_audit_bench   # any empty PostgreSQL database; it is migrated and filled here
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_audit_bench python bench/audit_chain.py [--rows 100000]

Writes rows into that database (access-log entries and their chain): never point it at real data.
"""

import argparse
import importlib
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inclusion_centre.settings.local")
os.environ.setdefault("DEBUG", "false")  # DEBUG keeps every query in memory and would measure that

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from audit.chain import verify_chain  # noqa: E402
from audit.models import AccessLog, AuditChainEntry  # noqa: E402
from audit.services import log_access  # noqa: E402
from inclusion_centre.accounts.models import User  # noqa: E402
from inclusion_centre.history import acting_as  # noqa: E402


def _request(user):
    request = RequestFactory().get("/applications/00000000-0000-0000-0000-000000000000/", REMOTE_ADDR="192.0.2.1")
    request.user = user
    return request


def one_at_a_time(user, count: int) -> tuple[float, float]:
    """Milliseconds per audited read: without the chain (the row and its history) and with it."""
    plain, chained = [], []
    for _ in range(count):
        start = time.perf_counter()
        with transaction.atomic(), acting_as(user):
            AccessLog.objects.create(user=user, roles="auditor", action="view_case", path="/", ip_address="192.0.2.1")
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        log_access(request=_request(user), action="view_case")
        chained.append(time.perf_counter() - start)
    return statistics.median(plain) * 1000, statistics.median(chained) * 1000


def _work(user_id: int, per_process: int, barrier) -> None:
    user = User.objects.get(pk=user_id)
    barrier.wait()
    for _ in range(per_process):
        log_access(request=_request(user), action="view_case")
    connection.close()


def at_once(users, per_process: int) -> float:
    """Audited reads per second with every user reading at the same time, each in a process of its own (as
    gunicorn's workers are: threads would mostly measure Python's global interpreter lock)."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(users) + 1)
    connection.close()  # each child opens its own
    processes = [context.Process(target=_work, args=(user.pk, per_process, barrier)) for user in users]
    for process in processes:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    for process in processes:
        process.join()
        assert process.exitcode == 0
    return len(users) * per_process / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000, help="size of the chain verify_audit walks")
    parser.add_argument("--processes", type=int, default=8)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "set DATABASE_URL to an empty PostgreSQL database"
    call_command("migrate", verbosity=0)
    AuditChainEntry.objects.all().delete()
    AccessLog.objects.all().delete()
    AccessLog.history.all().delete()
    users = [
        User.objects.get_or_create(email=f"bench{n}@example.edu.kz", defaults={"full_name": f"Bench {n}"})[0]
        for n in range(args.processes)
    ]

    log_access(request=_request(users[0]), action="view_case")  # warm caches
    plain, chained = one_at_a_time(users[0], 500)
    # The plain rows above were written around the chain on purpose; drop them before anything is verified.
    AccessLog.objects.exclude(pk__in=AuditChainEntry.objects.filter(kind="access").values("source_id")).delete()
    print(f"one read at a time: {plain:.2f} ms without the chain, {chained:.2f} ms with it (median of 500)")
    for processes in (1, args.processes):
        rate = at_once(users[:processes], 4000 // processes)
        print(f"{processes} readers at once: {rate:.0f} audited reads per second")
    report = verify_chain()
    assert report.ok, report.problem

    # A long chain for verify_audit: rows written in bulk, then chained by the migration's backfill.
    AuditChainEntry.objects.all().delete()
    AccessLog.objects.all().delete()
    user = users[0]
    batch = [
        AccessLog(user=user, roles="centre_head", action="view_case", path="/applications/x/", ip_address="192.0.2.1")
        for _ in range(args.rows)
    ]
    AccessLog.objects.bulk_create(batch, batch_size=5000)
    start = time.perf_counter()
    importlib.import_module("audit.migrations.0003_roles_and_chain_backfill").backfill(apps, None)
    print(f"chaining {args.rows} existing rows (the migration): {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    report = verify_chain()
    elapsed = time.perf_counter() - start
    assert report.ok, report.problem
    print(f"verify_audit over {report.checked} entries: {elapsed:.1f} s ({report.checked / elapsed:.0f} entries/s)")


if __name__ == "__main__":
    main()
