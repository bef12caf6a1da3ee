"""HTML → PDF/A with WeasyPrint: the bundled fonts embedded, nothing fetched from the network.

`render_pdf` draws a registered document in one language; it reads, never writes. Storing the result once is
`services.render_document_files`.
"""

import threading
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, path2url

from .forms_registry import form_for
from .letterhead import printed_letterhead
from .models import RegisteredDocument, Signature

STYLESHEET = "documents/pdf/document.css"
FONT_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


class LocalOnlyFetcher(URLFetcher):
    """Fetches `data:` URIs and files inside the allowed folders, nothing else.

    A template that names a web address (a font, an image) fails loudly instead of reaching the network, and a
    missing font stops the render instead of leaving a PDF without Kazakh letters.
    """

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self._roots = [root.resolve() for root in roots]

    def fetch(self, url, headers=None):
        if url.lower().startswith("file:"):
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self._roots):
                raise ValueError(f"{path} is outside the folders a document may use")
        return super().fetch(url, headers)


def _fetcher() -> LocalOnlyFetcher:
    return LocalOnlyFetcher([Path(settings.DOCUMENT_FONTS_DIR), Path(settings.INSTITUTION_LOGO).parent])


def font_urls() -> dict[str, str]:
    return {weight: path2url(str(Path(settings.DOCUMENT_FONTS_DIR) / name)) for weight, name in FONT_FILES.items()}


def qr_data_uri(url: str) -> str:
    """The link as a QR code: a one-bit PNG data URI, one pixel per module, drawn without smoothing
    (`image-rendering: pixelated` in the PDF style), so it is sharp in print. A PNG is embedded as it is; an SVG
    code would be drawn path by path on every render (measured: 7% of the instructions of a route's render)."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=1, border=0)


_local = threading.local()


def _font_config() -> FontConfiguration:
    # Loading the @font-face fonts into a configuration costs ~50 ms; a configuration keeps the faces it has
    # loaded, so each thread (a worker process has one) reuses its own.
    if not hasattr(_local, "font_config"):
        _local.font_config = FontConfiguration()
    return _local.font_config


def _stylesheet() -> CSS:
    # The forms' stylesheet, parsed once per thread with the thread's font configuration (its @font-face rules
    # load the bundled fonts into it); parsing it for every document cost 3-4% of a render.
    if not hasattr(_local, "stylesheet"):
        css = render_to_string(STYLESHEET, {"fonts": font_urls()})
        _local.stylesheet = CSS(
            string=css, base_url=str(settings.DOCUMENT_FONTS_DIR), url_fetcher=_fetcher(), font_config=_font_config()
        )
    return _local.stylesheet


def html_to_pdf(html: str) -> bytes:
    """Render trusted HTML (our templates) to archival, tagged PDF bytes (settings.DOCUMENT_PDF_VARIANT), with the
    forms' stylesheet (templates/documents/pdf/document.css)."""
    return HTML(string=html, base_url=str(settings.DOCUMENT_FONTS_DIR), url_fetcher=_fetcher()).write_pdf(
        stylesheets=[_stylesheet()],
        pdf_variant=settings.DOCUMENT_PDF_VARIANT,
        font_config=_font_config(),
        # Exact, not approximate: the stored bytes are what the verification page compares against.
        optimize_images=False,
    )


def common_context(language: str, document_type: str = "") -> dict:
    """What every PDF template of the project gets: fonts, the letterhead (with the form code of
    `document_type`), language. Call it inside translation.override(language)."""
    letterhead = printed_letterhead(language, document_type)
    return {
        "language": language,
        "fonts": font_urls(),
        "letterhead": letterhead,
        "institution_name": letterhead.institution,
    }


def _signature_sheet(document: RegisteredDocument) -> list[Signature]:
    """The signatures a signature sheet lists: those made on the version it re-renders."""
    if document.signed_version_id is None:
        return []
    return list(
        Signature.objects.filter(document_id=document.signed_version_id)
        .select_related("signer")
        .defer("cms")
        .order_by("signed_at", "pk")
    )


def render_html(*, document: RegisteredDocument, language: str) -> str:
    spec = form_for(document.document_type)
    verification_url = document.verification_url()
    with translation.override(language):
        context = {
            **common_context(language, document.document_type),
            **spec.context(document.source),
            "document": document,
            "title": document.get_document_type_display(),
            "verification_url": verification_url,
            "footer": f"{document.number} · {verification_url}",
            "qr_code": qr_data_uri(verification_url),
            "signature_method": settings.SIGNATURE_METHOD,
            "signature_sheet": _signature_sheet(document),
        }
        return render_to_string(spec.template, context)


def render_pdf(*, document: RegisteredDocument, language: str) -> bytes:
    """The PDF of `document` in `language` (kk or ru), as bytes. Raises LookupError for a type without a form."""
    return html_to_pdf(render_html(document=document, language=language))
