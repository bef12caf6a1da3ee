from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Pages that combine several apps (inclusion_centre/pages/__init__.py); no models."""

    name = "inclusion_centre.pages"
    label = "pages"

    def ready(self):
        from students import case_page

        from .case import case_context

        case_page.register_context(case_context)
