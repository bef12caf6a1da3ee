from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students and academic structure")

    def ready(self):
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
