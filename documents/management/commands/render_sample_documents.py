import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.forms_registry import registered_forms
from documents.rendering import render_pdf
from documents.selectors import sample_document


class Command(BaseCommand):
    help = (
        "Render every printed form, in every document language, from registered documents in the database (the "
        "demo data: run seed_demo first) into OUTDIR as <type>-<language>.pdf. The stored PDFs are not touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("outdir", type=Path)

    def handle(self, *args, outdir: Path, **options):
        outdir.mkdir(parents=True, exist_ok=True)
        missing = []
        written = 0
        for spec in registered_forms():
            document = sample_document(spec.document_type)
            if document is None:
                missing.append(spec.document_type)
                continue
            for language in settings.DOCUMENT_LANGUAGES:
                pdf = render_pdf(document=document, language=language)
                path = outdir / f"{spec.document_type}-{language}.pdf"
                path.write_bytes(pdf)
                written += 1
                self.stdout.write(
                    f"{path}  {document.number}  {len(pdf)} bytes  sha256 {hashlib.sha256(pdf).hexdigest()}"
                )
        if missing:
            raise CommandError(
                f"No registered sample of: {', '.join(missing)}. Load the demo data first (manage.py seed_demo)."
            )
        self.stdout.write(self.style.SUCCESS(f"{written} PDFs written to {outdir}"))
