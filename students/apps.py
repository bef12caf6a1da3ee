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

        # A legal representation grants the representative the student and their applications (students/grants.py).
        from . import grants

        grants.connect()
