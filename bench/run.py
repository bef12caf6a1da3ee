"""The scale benchmark (issue 12): `make bench`, or

    .venv/bin/python bench/run.py [--duration 60] [--users 16] [--think 0] [--reuse]

1. (Re)creates the database BENCH_DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/ic_bench; its name
   must end in "bench"), migrates it and seeds it with `manage.py seed_bench` (20,000 students, ... , over a million
   history rows), timed.
2. Collects the static files and starts gunicorn with the production settings (DEBUG off, 2 workers) on a free port,
   with the floor page and the X-Queries header turned on (BENCH_FLOOR, BENCH_QUERY_COUNT).
3. Drives it with locust, headless: USERS concurrent users for DURATION seconds over the main page of each role and
   the floor page, each user pausing THINK seconds on average between requests (0: none, the server saturated).
4. Prints per page requests per second, p50 and p95, p50 as a multiple of the floor's p50, the queries per request
   and the errors; writes them to bench/results.json; exits 1 when a target is missed.

`--reuse` skips the re-creation and the seeding when the database was seeded by an earlier run.
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results.json"
PYTHON = sys.executable

P95_MS = 150
RATIO_TO_FLOOR = 3
QUERIES = 15


def _secret_key() -> str:
    """One key for the seeding and the server, kept between runs: the seeded sessions are signed with it."""
    path = VAR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8")


def _environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="inclusion_centre.settings.production",
        DATABASE_URL=database_url,
        SECRET_KEY=_secret_key(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PRIVATE_FILES_ROOT=str(VAR / "private"),
        STATIC_ROOT=str(VAR / "static"),
        BENCH_FLOOR="true",
        BENCH_QUERY_COUNT="true",
        LOG_LEVEL="WARNING",
        # Redis as in a deployment: the cache every worker shares (the dashboard's and the reports' figures). Nothing
        # the measured pages do queues work; the seeding renders its one PDF in-process.
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
    )
    return env


def _manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 -- our own manage.py with fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=True
    )


def _recreate(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name.endswith("bench"):
        sys.exit(f"The benchmark's database name must end in 'bench' (it is dropped and re-created): {name!r}")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the sign-in page, to HTTPS) is an answer to report, not to follow


_opener = urllib.request.build_opener(_NoRedirect)


def _get(url: str, page: dict | None = None, cookie: str = "") -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310 -- our own server
    if page:
        request.add_header("Cookie", f"{cookie}={page['session']}")
    try:
        with _opener.open(request, timeout=30) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            sys.exit("gunicorn stopped before it answered; see var/bench/gunicorn.log")
        try:
            if _get(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("gunicorn did not answer /healthz within a minute")


def _stats(prefix: Path) -> dict[str, dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as source:
        return {row["Name"]: row for row in csv.DictReader(source) if row["Name"] != "Aggregated"}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "60")))
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", "16")))
    parser.add_argument("--think", type=float, default=float(os.environ.get("BENCH_THINK_SECONDS", "0")))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "1")), help="threads per worker (gthread)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the database an earlier run seeded")
    return parser.parse_args()


def _seed(env: dict, database_url: str, targets_file: Path, *, reuse: bool) -> dict:
    """Seed the benchmark database (unless `reuse` finds an earlier run's); returns the pages to measure."""
    if not (reuse and targets_file.exists()):
        print("Seeding the benchmark database ...", flush=True)
        _recreate(database_url)
        _manage(env, "migrate", "--noinput", "-v0")
        started = time.monotonic()
        _manage(env, "seed_bench", "--sessions", str(targets_file))
        print(f"  seed_bench took {time.monotonic() - started:.0f} s", flush=True)
    targets = json.loads(targets_file.read_text(encoding="utf-8"))
    _manage(env, "collectstatic", "--noinput", "-v0")
    return targets


def _start_server(args: argparse.Namespace, env: dict, port: int, log) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            *(PYTHON, "-m", "gunicorn", "inclusion_centre.wsgi", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(args.workers), "--threads", str(args.threads), "--error-logfile", "-"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _warm_up(base: str, targets: dict) -> None:
    """Warm up (templates, translations, connections) and check every page answers 200 before measuring."""
    for name, page in targets["pages"].items():
        status, _headers = _get(base + page["url"], page, targets["session_cookie"])
        if status != 200:
            sys.exit(f"{name} ({page['url']}) answered {status}; see var/bench/gunicorn.log")


def _load(args: argparse.Namespace, env: dict, base: str, targets_file: Path, prefix: Path) -> None:
    """Locust's simulated users on every page for the run's duration; its figures go to `prefix`*.csv."""
    print(
        f"Load: {args.users} users for {args.duration} s, think time {args.think} s, "
        f"gunicorn with {args.workers} workers of {args.threads} threads on {base}",
        flush=True,
    )
    subprocess.run(  # noqa: S603
        [
            *(PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary"),
            *("--users", str(args.users), "--spawn-rate", str(args.users), "--run-time", f"{args.duration}s"),
            *("--host", base, "--csv", str(prefix), "--stop-timeout", "10", "--loglevel", "WARNING"),
        ],
        cwd=ROOT,
        env={
            **env,
            "BENCH_TARGETS": str(targets_file),
            "BENCH_QUERIES": str(VAR / "queries.json"),
            "BENCH_THINK_SECONDS": str(args.think),
        },
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _measure(args: argparse.Namespace, env: dict, targets: dict, targets_file: Path) -> Path:
    """Serve the app with gunicorn, warm it up and put it under load; returns the prefix of locust's CSV files."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    prefix = VAR / "locust"
    log = open(VAR / "gunicorn.log", "w", encoding="utf-8")  # noqa: SIM115 -- open while the server runs
    server = _start_server(args, env, port, log)
    try:
        _wait_until_up(base, server)
        _warm_up(base, targets)
        _load(args, env, base, targets_file, prefix)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    return prefix


def _figures(stats: dict, queries: dict, name: str) -> dict:
    """One page's requests per second, median and 95th percentile, most queries seen, errors and requests."""
    row = stats.get(name)
    if row is None:
        return {"rps": 0.0, "p50_ms": None, "p95_ms": None, "queries": None, "errors": None, "requests": 0}
    seen = queries.get(name) or [None]
    return {
        "rps": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "queries": max(q for q in seen if q is not None) if seen != [None] else None,
        "errors": int(row["Failure Count"]),
        "requests": int(row["Request Count"]),
    }


def _pages(targets: dict, stats: dict, queries: dict) -> tuple[dict, dict]:
    """The floor's figures, and every other page's with its median's ratio to the floor's."""
    floor = _figures(stats, queries, "floor")
    pages = {}
    for name in targets["pages"]:
        if name == "floor":
            continue
        page = _figures(stats, queries, name)
        page["ratio_to_floor"] = (
            round(page["p50_ms"] / floor["p50_ms"], 2) if page["p50_ms"] and floor["p50_ms"] else None
        )
        pages[name] = page
    return floor, pages


def _missed(floor: dict, pages: dict) -> list[str]:
    """Each target a page missed: no requests, errors, p95, ratio to the floor, queries."""
    missed = []
    for name, page in [("floor", floor), *pages.items()]:
        if not page["requests"]:
            missed.append(f"{name}: no requests")
            continue
        if page["errors"]:
            missed.append(f"{name}: {page['errors']} errors")
        if page["p95_ms"] > P95_MS:
            missed.append(f"{name}: p95 {page['p95_ms']:.0f} ms > {P95_MS} ms")
        if name != "floor" and page["ratio_to_floor"] and page["ratio_to_floor"] > RATIO_TO_FLOOR:
            missed.append(f"{name}: p50 is {page['ratio_to_floor']}x the floor's > {RATIO_TO_FLOOR}x")
        if page["queries"] is not None and page["queries"] > QUERIES:
            missed.append(f"{name}: {page['queries']} queries > {QUERIES}")
    return missed


def _write_results(args: argparse.Namespace, targets: dict, floor: dict, pages: dict, missed: list[str]) -> None:
    results = {
        "floor": floor,
        "pages": pages,
        "run": {
            "users": args.users,
            "duration_s": args.duration,
            "think_s": args.think,
            "workers": args.workers,
            "threads": args.threads,
            "seed": targets.get("seed"),
            "targets": {"p95_ms": P95_MS, "ratio_to_floor": RATIO_TO_FLOOR, "queries": QUERIES},
            "missed": missed,
        },
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _print_table(targets: dict, floor: dict, pages: dict) -> None:
    header = f"{'page':<22}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'x floor':>9}{'queries':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for name, page in [("floor", {**floor, "ratio_to_floor": 1.0}), *pages.items()]:
        print(
            f"{name:<22}{page['rps']:>8.1f}{page['p50_ms'] or 0:>9.0f}{page['p95_ms'] or 0:>9.0f}"
            f"{page['ratio_to_floor'] or 0:>9.2f}{page['queries'] if page['queries'] is not None else '-':>9}"
            f"{page['errors'] if page['errors'] is not None else '-':>8}"
        )
    seed = targets.get("seed") or {}
    print(f"Seeding: {seed.get('seconds')} s, {seed.get('history_rows')} history rows. Results: {RESULTS}")


def main() -> int:
    args = _arguments()
    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ic_bench")
    VAR.mkdir(parents=True, exist_ok=True)
    env = _environment(database_url)
    targets_file = VAR / "targets.json"
    targets = _seed(env, database_url, targets_file, reuse=args.reuse)
    prefix = _measure(args, env, targets, targets_file)
    queries = json.loads((VAR / "queries.json").read_text(encoding="utf-8"))
    floor, pages = _pages(targets, _stats(prefix), queries)
    missed = _missed(floor, pages)
    _write_results(args, targets, floor, pages, missed)
    _print_table(targets, floor, pages)
    if missed:
        print("Targets missed:\n  " + "\n  ".join(missed))
        return 1
    print("Every target met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
