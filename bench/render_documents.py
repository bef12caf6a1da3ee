"""How fast the printed forms render, and how much memory the rendering takes (issue 7, item 8).

    .venv/bin/python bench/render_documents.py            # a throwaway SQLite database with the demo data
    .venv/bin/python bench/render_documents.py --current  # the database DATABASE_URL names (demo data loaded)

For each form that has a registered sample, the PDF is rendered RUNS times (default 20) in each document language,
exactly as the `documents` worker renders it (documents.rendering.render_pdf: template, QR code, WeasyPrint with
PDF/A-3a, fonts embedded), and the median and the slowest time are reported against the budget. The peak memory
is this process's maximum resident set size (`resource.getrusage`): the process does nothing but set up Django and
render, like a worker. The demo data is loaded by separate processes so that it does not count.

Exit status 1 when a budget is exceeded; the figures also go to bench/render_results.json (not committed).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (document type, budget in seconds for the median, what the sample is)
CASES = [
    ("application", 0.300, "the first registered application of the demo data"),
    ("conclusion", 0.300, "the first signed conclusion of the demo data"),
    # The samples are the registered route with the most course sections (the demo's has 8, each agreed by its
    # lecturer) and the protocol with the most questions (the demo's start-of-term review has 20).
    ("route", 0.300, "the registered route with the most course sections"),
    ("protocol", 1.000, "the registered protocol with the most agenda items"),
    ("protocol_extract", 0.300, "the first student's extract of that protocol"),
]
MEMORY_BUDGET_MB = 300


def _prepare_database(current: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inclusion_centre.settings.local")
    if current:
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["PRIVATE_FILES_ROOT"] = str(folder / "private")
    os.environ.pop("REDIS_URL", None)  # the demo's documents render in-process, as with `make run`
    manage = [sys.executable, str(ROOT / "manage.py")]
    env = {**os.environ, "DEBUG": "true"}
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603 -- our own manage.py
    subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def _size_of(document) -> str:
    source = document.source
    if document.document_type == "route":
        return f"{source.sections.filter(removed_at__isnull=True).count()} course sections"
    if document.document_type == "protocol":
        return f"{source.records.count()} agenda items"
    return document.get_document_type_display()


def _time_renders(render_pdf, document, language: str, runs: int) -> tuple[dict, float]:
    """Render the document `runs` times in `language`: its timings in milliseconds and the PDF's size, and the
    median in seconds (compared with the budget unrounded)."""
    times, cpu_times, size = [], [], 0
    for _run in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        size = len(render_pdf(document=document, language=language))
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    median = statistics.median(times)
    return {
        "median_ms": round(median * 1000, 1),
        "cpu_median_ms": round(statistics.median(cpu_times) * 1000, 1),
        "first_ms": round(times[0] * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "bytes": size,
        "runs": runs,
    }, median


def _print_result(document_type: str, language: str, result: dict, *, over: bool, budget: float) -> None:
    verdict = "OVER BUDGET" if over else "ok"
    print(
        f"{document_type:<12} {language}  median {result['median_ms']:6.0f} ms (CPU {result['cpu_median_ms']:4.0f} ms)"
        f"  first {result['first_ms']:6.0f} ms  slowest {result['max_ms']:6.0f} ms  budget {budget * 1000:.0f} ms"
        f"  {result['bytes'] / 1024:.0f} KiB  {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--current", action="store_true", help="use the database DATABASE_URL names")
    args = parser.parse_args()

    _prepare_database(args.current)
    import django

    django.setup()
    from django.conf import settings

    from documents.rendering import render_pdf
    from documents.selectors import sample_document

    results, failed = {}, False
    for document_type, budget, description in CASES:
        document = sample_document(document_type)
        if document is None:
            print(f"{document_type:<12} missing: no registered sample ({description})")
            failed = True
            continue
        print(f"{document_type:<12} sample {document.number}: {_size_of(document)}")
        for language in settings.DOCUMENT_LANGUAGES:
            result, median = _time_renders(render_pdf, document, language, args.runs)
            failed |= median > budget
            _print_result(document_type, language, result, over=median > budget, budget=budget)
            results[f"{document_type}-{language}"] = {**result, "budget_ms": budget * 1000}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    failed |= peak_mb > MEMORY_BUDGET_MB
    print(f"peak memory of the rendering process: {peak_mb:.0f} MB (budget {MEMORY_BUDGET_MB} MB)")
    results["peak_memory_mb"] = round(peak_mb, 1)
    (ROOT / "bench" / "render_results.json").write_text(json.dumps(results, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
