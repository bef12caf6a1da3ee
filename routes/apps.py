from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutesConfig(AppConfig):
    name = "routes"
    verbose_name = _("Assessments, conclusions and routes")

    def ready(self):
        from documents.forms_registry import register_form
        from inclusion_centre import figure_cache

        from .pdf_forms import FORMS

        figure_cache.connect()
        # The printed forms of the conclusion, the route and the protocol (documents/forms_registry.py).
        for spec in FORMS:
            register_form(spec)
