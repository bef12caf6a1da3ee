"""Fixtures for application tests live in tests/conftest.py; `fill` is kept for the tests that import it."""

from tests.factories import fill_application as fill  # noqa: F401
