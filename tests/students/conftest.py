import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from guardian.shortcuts import assign_perm

from students import services
from tests.factories import fill_application, pdf_bytes


@pytest.fixture
def draft(student):
    """A draft by the demo student, started through the service (grants, timeline)."""
    return services.application_start(actor=student, student=student.student)


def fill(application, actor):
    return fill_application(application, actor)


@pytest.fixture
def submitted(draft, student):
    fill(draft, student)
    services.consent_give(application=draft, actor=student, language="kk")
    services.document_upload(
        application=draft,
        actor=student,
        upload=SimpleUploadedFile("МӘС қорытындысы.pdf", pdf_bytes("MARKER-HEALTH"), "application/pdf"),
        kind="mse",
    )
    return services.application_submit(application=draft, actor=student)


@pytest.fixture
def registered(submitted, centre_head):
    return services.application_register(application=submitted, actor=centre_head)


@pytest.fixture
def assigned_specialist(specialist, submitted):
    # Issue 4 makes assignment a service; until then the grant it will make is given directly.
    assign_perm("students.view_application", specialist, submitted)
    return specialist
