"""The queries behind the list pages use indexes on the tables the data set makes large (issue 12, item 5).

Each list page is requested over the benchmark's data set (seed_bench's Seeder, small), every SELECT it makes is
captured and run again under EXPLAIN with sequential scans discouraged (`enable_seqscan = off`): PostgreSQL then
reads a table whole only when no index can serve the query, which is the defect this test is about. PostgreSQL
only; on CI (CI=true) a database that is not PostgreSQL fails the test instead of skipping it.
"""

import os
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inclusion_centre.seeding.bench import Seeder

from .test_list_queries import PAGES, _scale

# Tables the benchmark's data set makes large (tens of thousands of rows and up), and every history table.
LARGE = {
    "accounts_user",
    "students_student",
    "students_enrolment",
    "students_application",
    "audit_accesslog",
    "audit_statuschange",
    "routes_route",
    "routes_routesection",
    "routes_agreement",
    "documents_registereddocument",
    "django_session",
}

# The dashboard and the reports summarise every case, so they read the tables of cases whole by design.
WHOLE_TABLE_PAGES = {"centre_dashboard", "reports"}


def _seq_scans(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    tables = set(re.findall(r"Seq Scan on (\w+)", plan))
    return {table for table in tables if table in LARGE or "historical" in table}


@pytest.mark.django_db
def test_list_pages_read_large_tables_through_indexes(client):
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("On CI this test must run on PostgreSQL (DATABASE_URL).")
        pytest.skip("EXPLAIN plans are PostgreSQL's")
    found = {}
    with transaction.atomic():
        seeder = Seeder(_scale(300))
        seeder.seed()
        users = {
            "head": seeder.head,
            "lecturer": seeder.lecturers[0],
            "administration": seeder.administration[0],
            "auditor": seeder.auditor,
        }
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SET LOCAL enable_seqscan = off")
        # The detector itself: a filter no index serves is reported.
        assert _seq_scans("SELECT id FROM audit_accesslog WHERE path = '/x/'") == {"audit_accesslog"}
        for name, who, url in PAGES:
            if name in WHOLE_TABLE_PAGES:
                continue
            client.force_login(users[who])
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            for query in queries.captured_queries:
                sql = re.sub(r"^DECLARE .*? FOR ", "", query["sql"])
                if not sql.startswith("SELECT"):
                    continue
                scanned = _seq_scans(sql)
                if scanned:
                    found.setdefault(name, []).append((sorted(scanned), sql[:300]))
        transaction.set_rollback(True)
    assert found == {}
