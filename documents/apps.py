from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Registered documents")

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow's decompression-bomb limit (89 million pixels by default) for every image this process opens.
        Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_IMAGE_PIXELS
        # The printed forms of the document types (documents/forms_registry.py explains how to add one).
        # Every registration and every stored PDF has its entry in the audit chain (documents.services writes
        # them): a row without one had its entry deleted.
        from audit.chain import require_chained

        require_chained("documents.RegisteredDocument")
        require_chained("documents.RegisteredFile")
