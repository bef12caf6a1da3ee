from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students and academic structure")

    def ready(self):
        # The printed form of the application, in the documents app's registry (documents/forms_registry.py).
        from documents.forms_registry import register_form

        from .pdf_forms import FORMS

        for spec in FORMS:
            register_form(spec)

        from audit.selectors import register_health_fields, register_history_guard

        # Health data: hidden in the history pages unless the reader gives a reason (audit/selectors.py).
        register_health_fields(
            "students.application",
            [
                "categories",
                "description",
                "referral_note",
                "conditions",
                "conditions_other",
                "disability_group",
                "contact_notes",
            ],
        )
        register_health_fields("students.supportingdocument", ["original_name"])

        from .permissions import history_guards

        for label, guard in history_guards().items():
            register_history_guard(label, guard)

        # A legal representation grants the representative the student and their applications (students/grants.py).
        from . import grants

        grants.connect()

        # The university's sign-in finds a student's account by the SIS id the import stored.
        from inclusion_centre.accounts.provisioning import register_matcher

        from .selectors import user_by_sis_id

        register_matcher("sis_id", user_by_sis_id)
