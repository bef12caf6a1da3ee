"""One request at a time to each benchmarked page, in-process, against the seeded benchmark database.

    .venv/bin/python bench/single.py [--repeat 5] [page ...]

Uses the sessions and addresses of the last seeding (var/bench/targets.json) and the benchmark server's settings;
prints per page the queries and the fastest and median time of `--repeat` requests (after one warm-up request).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import VAR, _environment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sql", action="store_true", help="print each query of the last request with its time")
    parser.add_argument("pages", nargs="*")
    args = parser.parse_args()
    env = _environment(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ic_bench"))
    env["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    targets = json.loads((VAR / "targets.json").read_text(encoding="utf-8"))
    for name, page in targets["pages"].items():
        if args.pages and name not in args.pages:
            continue
        client = Client()
        client.cookies[targets["session_cookie"]] = page["session"]
        response = client.get(page["url"], secure=True)
        assert response.status_code == 200, (name, response.status_code)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page["url"], secure=True)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        served = response.get("X-Queries", "-")  # the server's count: statements through cursors, no BEGIN/COMMIT
        print(
            f"{name:<22}{len(queries):>4} queries ({served:>2} X-Queries)  min {min(times):7.1f} ms"
            f"  median {statistics.median(times):7.1f} ms"
        )
        if args.sql:
            for query in queries.captured_queries:
                print(f"  {float(query['time']) * 1000:8.1f} ms  {query['sql'][:400]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
