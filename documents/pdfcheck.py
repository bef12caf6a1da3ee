"""What an uploaded PDF may not hold: active content (scripts, launch actions, embedded files) or streams that
inflate beyond UPLOAD_PDF_MAX_INFLATED_BYTES (a "zip bomb": a few hundred kilobytes that become gigabytes in the
viewer, the renderer or the virus scanner that opens them).

Every object of the file is read with pypdf (names are decoded, so `/J#61vaScript` is `/JavaScript`; objects inside
compressed object streams are read too), and each Flate stream is inflated piecewise, counting, never holding
more than a piece. A file pypdf cannot read at all is refused as damaged: what we cannot inspect, we do not keep.
"""

import logging
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

logger = logging.getLogger(__name__)

# Keys whose presence means the document acts by itself when opened, or carries other files.
ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA"}
# Action types (/S) and object types (/Type) of the same kind.
ACTIVE_NAMES = {"/JavaScript", "/Launch", "/EmbeddedFile", "/ImportData", "/RichMedia", "/Rendition", "/Sound"}
PIECE = 1024 * 1024


class _Refused(Exception):
    def __init__(self, code: str):
        self.code = code


def _objects(reader: PdfReader):
    ids = {(number, generation) for generation, table in reader.xref.items() for number in table}
    ids |= {(number, 0) for number in reader.xref_objStm}
    yield reader.trailer
    for number, generation in sorted(ids):
        obj = reader.get_object(IndirectObject(number, generation, reader))
        if obj is not None:
            yield obj


def _check_dictionary(obj: DictionaryObject) -> None:
    for key, value in obj.items():
        if key in ACTIVE_KEYS:
            raise _Refused("active_content")
        if key in ("/S", "/Type", "/Subtype") and isinstance(value, NameObject) and value in ACTIVE_NAMES:
            raise _Refused("active_content")
        if isinstance(value, DictionaryObject):
            _check_dictionary(value)  # direct dictionaries (an /OpenAction written inline, say)
        elif isinstance(value, ArrayObject):
            for item in value:
                if isinstance(item, DictionaryObject):
                    _check_dictionary(item)


def _flate_first(stream: StreamObject) -> bool:
    filters = stream.get("/Filter")
    first = filters[0] if isinstance(filters, ArrayObject) and filters else filters
    return first in ("/FlateDecode", "/Fl")


def _inflated_size(raw: bytes, budget: int) -> int:
    """Bytes `raw` inflates to, counted piece by piece; stops once past `budget`."""
    inflater = zlib.decompressobj()
    total, pending = 0, raw
    try:
        while pending and total <= budget:
            total += len(inflater.decompress(pending, PIECE))
            pending = inflater.unconsumed_tail
    except zlib.error:
        return total  # a damaged stream: what inflated so far counts; viewers stop there too
    return total


def _check(reader: PdfReader) -> None:
    budget = settings.UPLOAD_PDF_MAX_INFLATED_BYTES
    for obj in _objects(reader):
        if isinstance(obj, DictionaryObject):
            _check_dictionary(obj)
        if isinstance(obj, StreamObject) and _flate_first(obj):
            budget -= _inflated_size(obj._data, budget)
            if budget < 0:
                raise _Refused("inflation")


MESSAGES = {
    "active_content": lambda: _(
        "The PDF file contains scripts, actions or embedded files, so it was not accepted. Print it to PDF again "
        "(or scan the paper document) and upload that."
    ),
    "inflation": lambda: _("The PDF file unpacks to far more than its size, so it was not accepted."),
    "damaged": lambda: _("The PDF file is damaged or incomplete."),
}


def check_pdf(upload) -> None:
    """Raise ValidationError (code active_content, inflation or damaged) unless the PDF is passive and bounded."""
    upload.seek(0)
    try:
        _check(PdfReader(upload, strict=False))
    except _Refused as refused:
        logger.warning("PDF upload refused: %s", refused.code)
        raise ValidationError(MESSAGES[refused.code](), code=refused.code) from None
    except (PyPdfError, PdfReadError, ValueError, KeyError, TypeError, RecursionError) as exc:
        # pypdf's own limits (LimitReachedError is a PyPdfError) land here too: unreadable is refused.
        logger.warning("PDF upload refused: pypdf cannot read it (%s: %s)", type(exc).__name__, exc)
        raise ValidationError(MESSAGES["damaged"](), code="damaged") from exc
    finally:
        upload.seek(0)
