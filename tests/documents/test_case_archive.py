"""A case's signed archival package: built from the registered documents, verified offline by
`manage.py verify_archive`; a changed file, manifest line or audit entry is refused; only for those who may read
every document of the case."""

import base64
import io
import json
import zipfile

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AccessLog
from documents import archive as case_archive
from inclusion_centre.accounts.roles import Role
from tests import factories

from .conftest import stored_bytes
from .seal_pki import make_pki
from .signing import cms_for, give_iin, post_signature

pytestmark = pytest.mark.django_db


def _url(application):
    return reverse("students:case_archive", args=[application.public_id])


@pytest.fixture
def case(letters_application, application_document, conclusion_document):
    return letters_application


@pytest.fixture
def package(client, centre_head, case, tmp_path) -> bytes:
    client.force_login(centre_head)
    response = client.get(_url(case))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _write(tmp_path, content: bytes, name="case.zip"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _rewrite(content: bytes, change) -> bytes:
    """The package with `change(name, data) -> data` applied to each member."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, change(name, source.read(name)))
    return out.getvalue()


def _verify(tmp_path, content: bytes, *extra) -> tuple[int, str]:
    output = io.StringIO()
    try:
        call_command("verify_archive", str(_write(tmp_path, content)), *extra, stdout=output)
    except CommandError as refused:
        return refused.returncode, output.getvalue() + str(refused)
    return 0, output.getvalue()


def test_the_package_holds_the_case_and_verifies(
    package, case, application_document, conclusion_document, tmp_path, centre_head
):
    names = zipfile.ZipFile(io.BytesIO(package)).namelist()
    archive = zipfile.ZipFile(io.BytesIO(package))
    for document in (application_document, conclusion_document):
        for language in ("kk", "ru"):
            name = f"documents/{document.number.replace('/', '-')}_v1_{language}.pdf"
            assert archive.read(name) == stored_bytes(document, language)
    assert {"register.csv", "register.xml", "audit-chain.jsonl", "manifest.txt", "manifest.hmac"} <= set(names)
    assert "manifest.p7s" not in names
    manifest = archive.read("manifest.txt").decode()
    assert "# signature: hmac-sha256" in manifest
    assert len([line for line in manifest.splitlines() if not line.startswith("#")]) == len(names) - 2
    entries = [json.loads(line) for line in archive.read("audit-chain.jsonl").decode().splitlines()]
    # Two registrations, four stored PDFs: each chained.
    assert sum(e["source"] == "documents.registereddocument" for e in entries) == 2
    assert sum(e["source"] == "documents.registeredfile" for e in entries) == 4
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=centre_head, object_id=case.pk).exists()

    code, report = _verify(tmp_path, package)
    assert code == 0, report
    assert "The package is intact." in report
    assert "All 6 audit-chain entries and their links are intact." in report


def test_a_changed_file_is_refused(package, tmp_path):
    def change(name, data):
        if name.startswith("documents/") and name.endswith("_kk.pdf"):
            return data[:500] + bytes([data[500] ^ 1]) + data[501:]
        return data

    code, report = _verify(tmp_path, _rewrite(package, change))
    assert code == 1
    assert "does not match its SHA-256 in the manifest" in report
    assert "is not a PDF the audit chain registered" in report


def test_a_changed_manifest_line_is_refused(package, tmp_path):
    def change(name, data):
        if name == "manifest.txt":
            lines = data.decode().splitlines()
            index = next(i for i, line in enumerate(lines) if line.endswith("register.csv"))
            lines[index] = "0" * 64 + "  register.csv"
            return ("\n".join(lines) + "\n").encode()
        return data

    code, report = _verify(tmp_path, _rewrite(package, change))
    assert code == 1
    assert "The manifest's HMAC does not match" in report
    assert "register.csv does not match its SHA-256 in the manifest" in report


def test_a_changed_audit_entry_is_refused_even_with_a_consistent_manifest_hash(package, tmp_path):
    def change(name, data):
        if name == "audit-chain.jsonl":
            lines = data.decode().splitlines()
            entry = json.loads(lines[0])
            entry["content"] = entry["content"].replace('"version":1', '"version":2')
            lines[0] = json.dumps(entry, ensure_ascii=False, sort_keys=True)
            return ("\n".join(lines) + "\n").encode()
        return data

    code, report = _verify(tmp_path, _rewrite(package, change))
    assert code == 1
    assert "was changed: its hashes do not match it" in report


def test_a_removed_file_and_an_unsigned_manifest_are_refused(package, tmp_path):
    stripped = _rewrite(package, lambda name, data: data)
    source = zipfile.ZipFile(io.BytesIO(stripped))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            if name not in {"register.xml", "manifest.hmac"}:
                target.writestr(name, source.read(name))
    code, report = _verify(tmp_path, out.getvalue())
    assert code == 1
    assert "register.xml is in the manifest but missing from the package" in report
    assert "The manifest is not signed." in report


def test_with_the_institution_seal_the_manifest_carries_a_cms_signature(
    client, centre_head, letters_application, application_document, tmp_path, settings
):
    pki = make_pki(tmp_path)
    settings.INSTITUTION_SEAL_PKCS12 = str(pki.pkcs12_path)
    settings.INSTITUTION_SEAL_PASSWORD = pki.password
    client.force_login(centre_head)
    package = b"".join(client.get(_url(letters_application)).streaming_content)
    names = zipfile.ZipFile(io.BytesIO(package)).namelist()
    assert "manifest.p7s" in names and "manifest.hmac" not in names
    root = tmp_path / "root.pem"
    root.write_bytes(pki.root.public_bytes(serialization.Encoding.PEM))
    code, report = _verify(tmp_path, package, "--trust-root", str(root))
    assert code == 0, report
    assert "issued by a trusted root" in report
    # Another root: the signature is valid but not trusted.
    (tmp_path / "other").mkdir()
    other = make_pki(tmp_path / "other")
    other_root = tmp_path / "other-root.pem"
    other_root.write_bytes(other.root.public_bytes(serialization.Encoding.PEM))
    assert _verify(tmp_path, package, "--trust-root", str(other_root))[0] == 1
    # A changed manifest line breaks the CMS signature.
    tampered = _rewrite(package, lambda n, d: d.replace(b"register.csv", b"register.CSV") if n == "manifest.txt" else d)
    code, report = _verify(tmp_path, tampered)
    assert code == 1
    assert "The manifest's signature is not valid" in report


def test_the_package_carries_each_qualified_signature_and_still_verifies(
    client, centre_head, case, application_document, qualified, tmp_path
):
    applicant = give_iin(application_document.student.user, "990101300123")
    client.force_login(applicant)
    cms = cms_for(qualified, application_document, "kk", iin="990101300123")
    assert post_signature(client, application_document, role="applicant", cms=cms).status_code == 302
    der = base64.b64decode(cms)
    assert case_archive.detached_signatures([application_document]) == [(application_document, der)]

    client.force_login(centre_head)
    response = client.get(_url(case))
    package = b"".join(response.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(package))
    signatures = [name for name in archive.namelist() if name.startswith("signatures/")]
    assert len(signatures) == 1 and archive.read(signatures[0]) == der
    assert signatures[0] in archive.read("manifest.txt").decode()
    code, report = _verify(tmp_path, package)
    assert code == 0, report


# --- Who may download it ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "centre_head", "assigned_specialist"])
def test_those_who_may_read_every_document_of_the_case_get_it(
    client, case, letters_student, centre_head, specialist, who
):
    user = {"owner": letters_student, "centre_head": centre_head, "assigned_specialist": specialist}[who]
    client.force_login(user)
    response = client.get(_url(case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "who",
    ["student", "representative", "lecturer", "administration", "auditor", "sysadmin", "outsider", "other_specialist"],
)
def test_everyone_else_gets_404_and_no_export_is_logged(client, request, case, who):
    if who == "other_specialist":
        user = factories.UserFactory(roles=[Role.SPECIALIST], full_name="Басқа Маман")
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(_url(case)).status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_nothing_registered_yet_is_404(client, centre_head, submitted):
    client.force_login(centre_head)
    assert client.get(_url(submitted)).status_code == 404
