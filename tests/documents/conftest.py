"""Registered documents made through the real services: registering an application, signing a conclusion."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from documents.models import DocumentType, RegisteredDocument
from routes import services as route_services
from routes.models import Adaptation
from students import services
from tests import factories
from tests.factories import fill_application, pdf_bytes

KAZAKH_LOWER = "әғқңөұүһі"
KAZAKH_UPPER = "ӘҒҚҢӨҰҮҺІ"
# A Russian pangram: every letter of the alphabet, ё and ъ included.
RUSSIAN_TEXT = "Съешь же ещё этих мягких французских булок, да выпей чаю"
NAME_MARKER = "MARKERNAME"
DESCRIPTION = f"Әріптер: {KAZAKH_LOWER} {KAZAKH_UPPER}\n{RUSSIAN_TEXT}\nMARKER-HEALTH"


def pdf_text(content: bytes) -> str:
    """Every page's text, whitespace collapsed (line breaks fall where the layout puts them)."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def stored_bytes(document: RegisteredDocument, language: str) -> bytes:
    stored = document.files.get(language=language)
    with stored.file.open("rb") as handle:
        return handle.read()


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Pages are read in English here (a signed-in user's own language would otherwise win, Kazakh by default);
    the catalogues' completeness is tested on its own."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def letters_student(db):
    """A student whose name carries Kazakh letters and a marker that must never reach a public page."""
    return factories.StudentFactory(user__full_name=f"Әсел Ғалымқызы Қоңырбаева {NAME_MARKER}").user


def _submitted_by(student_user):
    application = services.application_start(actor=student_user, student=student_user.student)
    fill_application(application, student_user, description=DESCRIPTION)
    services.consent_give(application=application, actor=student_user, language="kk")
    services.document_upload(
        application=application,
        actor=student_user,
        upload=SimpleUploadedFile("МӘС қорытындысы.pdf", pdf_bytes("MARKER-UPLOAD"), "application/pdf"),
        kind="mse",
    )
    return services.application_submit(application=application, actor=student_user)


@pytest.fixture
def letters_application(letters_student, centre_head, django_capture_on_commit_callbacks):
    """Registered, with its PDFs rendered and stored (the after-commit render run as the worker would)."""
    application = _submitted_by(letters_student)
    with django_capture_on_commit_callbacks(execute=True):
        return services.application_register(application=application, actor=centre_head)


@pytest.fixture
def application_document(letters_application) -> RegisteredDocument:
    return RegisteredDocument.objects.get(document_type=DocumentType.APPLICATION, object_id=letters_application.pk)


def sign_conclusion(application, *, specialist, centre_head, analysis: str, capture):
    """Assess, draft and sign a conclusion of `application`; returns the signed conclusion (rendered)."""
    assignment = application.assignments.filter(specialist=specialist, ended_at__isnull=True).first()
    if assignment is None:
        assignment = route_services.assignment_add(
            application=application, specialist=specialist, area="speech", actor=centre_head
        )
        route_services.assessment_save(
            assessment=assignment.assessment,
            actor=specialist,
            findings="Сөйлеу қарқыны баяу. MARKER-FINDINGS",
            strengths="",
            barriers="",
            adaptations=list(Adaptation.objects.filter(code__in=["extra_time"])),
            free_texts=["Ауызша сұрауды жазбаша жауаппен алмастыру"],
        )
        route_services.assessment_finish(assessment=assignment.assessment, actor=specialist)
    conclusion = route_services.conclusion_draft(application=application, actor=centre_head)
    route_services.conclusion_update(
        conclusion=conclusion,
        actor=centre_head,
        analysis=analysis,
        support_level="2",
        revision_reason="Қайта қаралды" if conclusion.version > 1 else "",
        keep_items=list(conclusion.items.values_list("pk", flat=True)),
    )
    with capture(execute=True):
        return route_services.conclusion_sign(conclusion=conclusion, actor=centre_head)


@pytest.fixture
def signed_conclusion(letters_application, specialist, centre_head, django_capture_on_commit_callbacks):
    return sign_conclusion(
        letters_application,
        specialist=specialist,
        centre_head=centre_head,
        analysis=f"Бағалау формаларын бейімдеу қажет: {KAZAKH_UPPER}.",
        capture=django_capture_on_commit_callbacks,
    )


@pytest.fixture
def conclusion_document(signed_conclusion) -> RegisteredDocument:
    return RegisteredDocument.objects.get(document_type=DocumentType.CONCLUSION, object_id=signed_conclusion.pk)


@pytest.fixture
def qualified(settings, tmp_path):
    """SIGNATURE_METHOD "ncalayer" with a test CA (made here) as the only NCA root, its CRL configured."""
    from .signing import configure_test_ca

    return configure_test_ca(settings, tmp_path)
