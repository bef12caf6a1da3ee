from django.apps import AppConfig


class SeedingConfig(AppConfig):
    """The demo and benchmark data (inclusion_centre/seeding/__init__.py); no models, only commands."""

    name = "inclusion_centre.seeding"
    label = "seeding"
