from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Registered documents")

    def ready(self):
        # The printed forms of the document types (documents/forms_registry.py explains how to add one).
        from . import pdf_forms  # noqa: F401
