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
        # Per-term activation: an import of enrolments or teaching assignments makes the routes in force follow it.
        from students.importing import imported

        from .receivers import follow_imported_enrolments

        imported.connect(follow_imported_enrolments, dispatch_uid="routes.follow_imported_enrolments")
        # A concluded case's stage is its route's: "Route in force", not "Conclusion issued" (students/stages.py).
        from students.stages import register as register_stages

        from .selectors.route import case_stages

        register_stages(case_stages)
        # The printed forms of the conclusion, the route and the protocol (documents/forms_registry.py).
        for spec in FORMS:
            register_form(spec)

        # Health data: hidden in the history pages unless the reader gives a reason (audit/selectors.py).
        from audit.selectors import register_health_fields

        for label, names in {
            "routes.assessment": ["findings", "strengths", "barriers"],
            "routes.recommendation": ["text"],
            "routes.conclusion": ["analysis"],
            "routes.conclusionitem": ["text"],
            "routes.changedneedsreport": ["text"],
            "routes.agendaitem": ["note"],
            "routes.protocolitem": ["heard", "decision", "dissent"],
        }.items():
            register_health_fields(label, names)
