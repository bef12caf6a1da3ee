"""Many people reading and moving cases at once: the chain stays one line with no gaps, and it verifies."""

import itertools
import json
import os
import threading

import pytest
from django.db import connection
from django.test import RequestFactory

from audit.chain import verify_chain
from audit.models import AccessLog, AuditChainEntry
from audit.services import chain_append, log_access
from tests.factories import UserFactory

THREADS = 8
PER_THREAD = 30


def test_concurrent_appends_keep_the_chain_linear(migrated_data):
    if os.environ.get("CI") == "true":
        assert connection.vendor == "postgresql"
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    users = [UserFactory(roles=["centre_head"]) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors = []

    def work(index: int) -> None:
        factory = RequestFactory()
        try:
            barrier.wait()
            for n in range(PER_THREAD):
                if n % 2:
                    chain_append(kind=AuditChainEntry.Kind.EVENT, obj_or_payload={"thread": index, "n": n})
                else:
                    request = factory.get("/", REMOTE_ADDR=f"192.0.2.{index + 1}")
                    request.user = users[index]
                    log_access(request=request, action=AccessLog.Action.VIEW_CASE)
        except Exception as error:  # collected and asserted below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = THREADS * PER_THREAD
    entries = list(AuditChainEntry.objects.order_by("seq").values_list("seq", "prev_hash", "entry_hash", "content"))
    assert [seq for seq, *_rest in entries] == list(range(1, total + 1))
    assert all(later[1] == earlier[2] for earlier, later in itertools.pairwise(entries))
    # The threads really ran at once: their entries interleave rather than follow one block after another.
    thread_of_user = {user.pk: index for index, user in enumerate(users)}
    owners = []
    for _seq, _prev, _hash, content in entries:
        data = json.loads(content)
        owners.append(data["thread"] if "thread" in data else thread_of_user[data["user_id"]])
    switches = sum(1 for a, b in itertools.pairwise(owners) if a != b)
    assert switches > THREADS - 1
    assert AccessLog.objects.count() == total // 2
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == total
