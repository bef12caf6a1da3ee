"""Signing a registered document: the signatures page, who may sign in which role, ЭЦП through NCALayer (checked
on the server) or a confirmation in the system, the audit chain, the verification page, the signature sheet and
`verify_signatures`."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from audit.models import AuditChainEntry
from documents.models import RegisteredDocument, Signature

from .conftest import pdf_text, stored_bytes
from .signing import cms_for, give_iin, post_signature, signatures_url

pytestmark = pytest.mark.django_db
IIN = "990101300123"


@pytest.fixture
def applicant(application_document):
    return give_iin(application_document.student.user, IIN)


def test_the_applicant_signs_the_registered_application_with_ecp(client, qualified, application_document, applicant):
    client.force_login(applicant)
    page = client.get(signatures_url(application_document))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-ncalayer-sign" in html and "wss://127.0.0.1:13579" in html
    chained = AuditChainEntry.objects.count()

    response = post_signature(
        client, application_document, role="applicant", cms=cms_for(qualified, application_document, "kk", iin=IIN)
    )

    assert response.status_code == 302
    signature = Signature.objects.get(document=application_document)
    assert (signature.signer, signature.role, signature.method, signature.language) == (
        applicant,
        "applicant",
        "ncalayer",
        "kk",
    )
    assert signature.content_sha256 == application_document.files.get(language="kk").sha256
    assert signature.certificate_serial and "Test NCA" in signature.certificate_issuer
    assert signature.revocation == Signature.Revocation.GOOD and "CRL" in signature.revocation_detail
    assert bytes(signature.cms)
    assert signature.history.first().history_user == applicant
    assert AuditChainEntry.objects.count() == chained + 1
    assert signature.certificate_serial in client.get(signatures_url(application_document)).content.decode()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("tampered", "other bytes than the registered PDF"),
        ("wrong_iin", "IIN is not yours"),
        ("authentication_key", "authentication key"),
        ("garbage", "could not be read"),
    ],
)
def test_a_refused_signature_changes_nothing_and_says_why(
    client, qualified, application_document, applicant, case, message
):
    cms = {
        "tampered": lambda: cms_for(qualified, application_document, "kk", iin=IIN, content=b"%PDF another file"),
        "wrong_iin": lambda: cms_for(qualified, application_document, "kk", iin="880202400456"),
        "authentication_key": lambda: cms_for(qualified, application_document, "kk", iin=IIN, signing=False),
        "garbage": lambda: "bm90IGEgc2lnbmF0dXJl",
    }[case]()
    client.force_login(applicant)
    chained = AuditChainEntry.objects.count()
    response = post_signature(client, application_document, role="applicant", cms=cms)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Signature.objects.exists()
    assert AuditChainEntry.objects.count() == chained


def test_no_cms_is_a_form_error(client, qualified, application_document, applicant):
    client.force_login(applicant)
    response = post_signature(client, application_document, role="applicant", cms="")
    assert response.status_code == 422
    assert "Sign with NCALayer first" in response.content.decode()
    assert not Signature.objects.exists()


def test_in_system_mode_records_a_confirmation_labelled_as_such(client, settings, application_document, applicant):
    settings.SIGNATURE_METHOD = "in-system"
    client.force_login(applicant)
    page = client.get(signatures_url(application_document)).content.decode()
    assert "data-ncalayer-sign" not in page and "not qualified electronic signatures" in page
    assert post_signature(client, application_document, role="applicant", language="ru").status_code == 302
    signature = Signature.objects.get()
    assert (signature.method, signature.revocation, signature.certificate_serial) == ("in-system", "not_applicable", "")
    assert "not a qualified electronic signature" in client.get(signatures_url(application_document)).content.decode()


@pytest.mark.parametrize(
    "persona_name", ["specialist", "lecturer", "administration", "auditor", "outsider", "other_student"]
)
def test_people_the_form_does_not_name_get_404_and_nothing_changes(
    client, qualified, application_document, applicant, request, persona_name
):
    user = give_iin(request.getfixturevalue(persona_name), IIN)
    client.force_login(user)
    assert client.get(signatures_url(application_document)).status_code == 404
    content_url = reverse("documents:signature_content", args=[application_document.public_id, "kk"])
    assert client.get(content_url).status_code == 404
    cms = cms_for(qualified, application_document, "kk", iin=IIN)
    assert post_signature(client, application_document, role="applicant", cms=cms).status_code == 404
    assert not Signature.objects.exists()


def test_the_centre_head_reads_the_signatures_but_cannot_sign_as_the_applicant(
    client, qualified, application_document, applicant, centre_head
):
    give_iin(centre_head, IIN)
    client.force_login(centre_head)
    assert client.get(signatures_url(application_document)).status_code == 200
    cms = cms_for(qualified, application_document, "kk", iin=IIN)
    assert post_signature(client, application_document, role="applicant", cms=cms).status_code == 422
    assert not Signature.objects.exists()


def test_the_signer_gets_the_exact_stored_bytes_to_sign(client, application_document, applicant):
    client.force_login(applicant)
    response = client.get(reverse("documents:signature_content", args=[application_document.public_id, "ru"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_bytes(application_document, "ru")
    assert response["Cache-Control"].startswith("no-store")


def test_the_verification_page_lists_signatures_without_names(client, qualified, application_document, applicant):
    client.force_login(applicant)
    post_signature(
        client, application_document, role="applicant", cms=cms_for(qualified, application_document, "kk", iin=IIN)
    )
    client.logout()
    signature = Signature.objects.get()
    html = client.get(reverse("documents:verify", args=[application_document.verification_token])).content.decode()
    assert signature.certificate_serial in html
    with translation.override("kk"):  # the public page speaks the default language
        assert str(Signature.Method.NCALAYER.label) in html
    assert applicant.full_name not in html


def test_the_conclusion_is_signed_by_each_assessing_specialist_and_the_head(
    client, qualified, conclusion_document, specialist, centre_head
):
    for person, role in ((specialist, "specialist"), (centre_head, "centre_head")):
        give_iin(person, IIN)
        client.force_login(person)
        response = post_signature(
            client, conclusion_document, role=role, cms=cms_for(qualified, conclusion_document, "kk", iin=IIN)
        )
        assert response.status_code == 302, response.content.decode()[:500]
    assert sorted(Signature.objects.values_list("role", flat=True)) == ["centre_head", "specialist"]
    # The specialist cannot sign as the head.
    client.force_login(specialist)
    assert post_signature(client, conclusion_document, role="centre_head", language="ru").status_code == 422


def test_the_signature_sheet_is_a_new_version_listing_the_signatures(
    client, qualified, application_document, applicant, centre_head, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    post_signature(
        client, application_document, role="applicant", cms=cms_for(qualified, application_document, "kk", iin=IIN)
    )
    signature = Signature.objects.get()
    client.force_login(centre_head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:signature_sheet", args=[application_document.public_id]))
    assert response.status_code == 302
    sheet = RegisteredDocument.objects.get(signed_version=application_document)
    application_document.refresh_from_db()
    assert (sheet.number, sheet.version) == (application_document.number, application_document.version + 1)
    assert application_document.status == RegisteredDocument.Status.SUPERSEDED
    text = pdf_text(stored_bytes(sheet, "ru"))
    assert signature.certificate_serial in text
    assert applicant.full_name in text
    # Only the centre head registers it.
    client.force_login(applicant)
    assert client.post(reverse("documents:signature_sheet", args=[sheet.public_id])).status_code == 404


def test_verify_signatures_rechecks_every_stored_signature(client, qualified, application_document, applicant, capsys):
    client.force_login(applicant)
    post_signature(
        client, application_document, role="applicant", cms=cms_for(qualified, application_document, "kk", iin=IIN)
    )
    call_command("verify_signatures")
    assert "1 signature(s) verified, 0 failed" in capsys.readouterr().out
    signature = Signature.objects.get()
    assert signature.last_check_result == "ok"

    stored = application_document.files.get(language="kk")
    with stored.file.open("wb") as handle:  # the stored PDF changed behind the register's back
        handle.write(b"%PDF forged")
    with pytest.raises(CommandError):
        call_command("verify_signatures")
    signature.refresh_from_db()
    assert signature.last_check_result.startswith("tampered")


def test_the_personal_file_carries_each_signature_and_its_cms(
    client, qualified, application_document, applicant, centre_head
):
    import io
    import zipfile

    client.force_login(applicant)
    post_signature(
        client, application_document, role="applicant", cms=cms_for(qualified, application_document, "kk", iin=IIN)
    )
    signature = Signature.objects.get()
    client.force_login(centre_head)
    response = client.get(reverse("documents:personal_file", args=[application_document.student_id]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    p7s = [name for name in archive.namelist() if name.endswith(".p7s")]
    assert len(p7s) == 1 and archive.read(p7s[0]) == bytes(signature.cms)
    index = archive.read("index.csv").decode("utf-8-sig")
    assert signature.certificate_serial in index and p7s[0] in index
