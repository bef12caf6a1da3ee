"""The routes' fixtures (a concluded case, routes in each state, team meetings) for the security tests."""

from tests.routes.conftest import (  # noqa: F401  (fixtures)
    concluded,
    courses,
    held,
    in_approval,
    in_force,
    planned,
    route,
    second_lecturer,
    secretary,
    signed,
)
