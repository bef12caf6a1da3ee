"""Seeding: the demo data (`manage.py seed_demo`) and the benchmark's data set (`manage.py seed_bench`), in one place.

- `people.py`: the academic structure, one user per role, the students (the demo's published password and key).
- `cases.py`: one case in every state, from the application to the route and the team's protocol, made through
  the apps' public services, so the demo shows exactly what the product would have written.
- `bench.py`: the scale benchmark's data set, written in bulk (with history) for speed. It uses the apps' models
  and public helpers only (the route fingerprints come from `routes.services.route.section_fingerprint`).

It spans every app, so it sits at the top of the layers with the pages (pyproject.toml, import-linter).
"""
