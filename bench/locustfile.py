"""The load of the scale benchmark, for locust (started by bench/run.py; not meant to be run by hand).

Every simulated user is signed in through a session that seed_bench made in the database (the cookie is set, no
sign-in form), and opens the benchmark's pages in turn, each under its own role's session. BENCH_TARGETS names
the JSON file with the sessions and the addresses; BENCH_QUERIES the file where the queries each page made (the
server's X-Queries header) are written when the run ends. BENCH_THINK_SECONDS is the pause between two requests
of one user (0: as fast as the server answers).
"""

import json
import os
import random
from collections import defaultdict

from locust import FastHttpUser, events, task
from locust.user.wait_time import between, constant

TARGETS = json.loads(open(os.environ["BENCH_TARGETS"], encoding="utf-8").read())  # noqa: SIM115
THINK = float(os.environ.get("BENCH_THINK_SECONDS", "0"))
QUERIES: dict[str, list[int]] = defaultdict(list)
PAGES = list(TARGETS["pages"].items())


class Visitor(FastHttpUser):
    wait_time = between(THINK / 2, THINK * 1.5) if THINK else constant(0)

    def on_start(self):
        # Each user starts at a different page, so the pages are hit evenly from the first second.
        self.order = PAGES[:]
        random.shuffle(self.order)
        self.next = 0

    @task
    def open_page(self):
        name, page = self.order[self.next % len(self.order)]
        self.next += 1
        headers = {
            "Cookie": f"{TARGETS['session_cookie']}={page['session']}",
            # The server runs the production settings behind a TLS proxy: say the request came over HTTPS.
            "X-Forwarded-Proto": "https",
        }
        with self.client.get(
            page["url"], name=name, headers=headers, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            if page["url"].endswith(".pdf") and not response.content.startswith(b"%PDF"):
                response.failure("not a PDF")
                return
            queries = response.headers.get("X-Queries")
            if queries is not None:
                QUERIES[name].append(int(queries))
            response.success()


@events.test_stop.add_listener
def _write_queries(environment, **kwargs):
    with open(os.environ["BENCH_QUERIES"], "w", encoding="utf-8") as out:
        json.dump(QUERIES, out)
