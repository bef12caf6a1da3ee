from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Students and academic structure")

    def ready(self):
        from audit.selectors import register_history_guard

        from .permissions import history_guards

        for label, guard in history_guards().items():
            register_history_guard(label, guard)
