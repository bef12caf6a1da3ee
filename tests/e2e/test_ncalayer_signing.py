"""Signing a registered PDF in the browser through a stub NCALayer: a WebSocket server on wss://127.0.0.1:13579
(a self-signed certificate the test browser is told to accept) that answers createCAdESFromBase64 by signing the
bytes it is given with a key of a test CA; the server checks the CMS as it would NCALayer's."""

import base64
import datetime
import ipaddress
import json
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from playwright.sync_api import expect
from websockets.sync.server import serve

from documents.models import RegisteredDocument, Signature
from students import services
from tests.documents import pki
from tests.factories import submitted_application

from .conftest import CHROMIUM_ARGS, TIMEOUT_MS

# The stub listens on the one port NCALayer uses (the CSP names it): under pytest-xdist its tests share one worker.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("ncalayer-port")]
IIN = "990101300123"


def _tls_context(folder) -> ssl.SSLContext:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "ncalayer.pem", folder / "ncalayer.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


class StubNcaLayer:
    """Answers like NCALayer: a version greeting, then code 200 with the CMS, or code 500 when "cancelled"."""

    def __init__(self, ca: pki.TestCA, folder):
        self.ca = ca
        self.mode = "sign"  # "sign", "auth" (an authentication key), "cancel"
        self.requests: list[dict] = []
        # Keys made before the browser asks: making one while it waits costs seconds on a busy machine.
        self.keys = {"sign": ca.issue(iin=IIN), "auth": ca.issue(iin=IIN, signing=False)}
        self.server = serve(self._handle, "127.0.0.1", 13579, ssl=_tls_context(folder))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handle(self, websocket):
        websocket.send(json.dumps({"result": {"version": "1.4"}}))
        for message in websocket:
            request = json.loads(message)
            self.requests.append(request)
            if self.mode == "cancel":
                websocket.send(json.dumps({"code": "500", "message": "action.canceled"}))
                continue
            content = base64.b64decode(request["args"][2])
            key, certificate = self.keys[self.mode]
            now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
            cms = pki.rsa_cms(content, key, certificate, now)
            websocket.send(json.dumps({"code": "200", "responseObject": base64.b64encode(cms).decode()}))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def signing_page(playwright, chromium_path, live_server):
    # Its own browser: NCALayer's self-signed certificate is accepted here only.
    browser = playwright.chromium.launch(
        executable_path=chromium_path, args=[*CHROMIUM_ARGS, "--ignore-certificate-errors"]
    )
    context = browser.new_context(base_url=live_server.url, ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
    browser.close()


@pytest.fixture
def document(student, centre_head):
    student.iin = IIN
    student.preferred_language = "en"  # the messages are read in English here (each catalogue is tested elsewhere)
    student.save(update_fields=["iin", "preferred_language"])
    application = services.application_register(application=submitted_application(student), actor=centre_head)
    return RegisteredDocument.objects.get(object_id=application.pk)


@pytest.fixture
def ca(settings, tmp_path):
    ca = pki.TestCA()
    root, crl = ca.write(tmp_path / "ca")
    settings.SIGNATURE_METHOD = "ncalayer"
    settings.SIGNATURE_TRUST_ANCHORS = [str(root)]
    settings.SIGNATURE_CRL_PATHS = [str(crl)]
    return ca


def _sign_button(page):
    return page.locator("main form[data-ncalayer-sign] button").first


def test_the_applicant_signs_through_ncalayer_and_is_told_when_it_fails(
    signing_page, live_server, login, axe_check, student, document, ca, tmp_path
):
    page = signing_page
    login(page, live_server, student)
    url = f"{live_server.url}/documents/{document.public_id}/signatures/"
    stored = document.files.get(language="kk")
    with stored.file.open("rb") as handle:
        pdf = handle.read()

    # NCALayer not running: nothing listens on the port yet.
    page.goto(url)
    axe_check(page)
    _sign_button(page).click()
    expect(page.locator("#ncalayer-status")).to_contain_text("NCALayer is not running")
    assert not Signature.objects.exists()

    with StubNcaLayer(ca, tmp_path) as ncalayer:
        ncalayer.mode = "cancel"
        page.goto(url)
        _sign_button(page).click()
        expect(page.locator("#ncalayer-status")).to_contain_text("cancelled", timeout=60_000)
        assert not Signature.objects.exists()

        ncalayer.mode = "auth"
        page.goto(url)
        _sign_button(page).click()
        expect(page.locator(".error-summary")).to_contain_text("authentication key", timeout=60_000)
        axe_check(page)
        assert not Signature.objects.exists()

        ncalayer.mode = "sign"
        page.goto(url)
        _sign_button(page).click()
        expect(page.locator("main")).to_contain_text("Your signature is recorded.", timeout=60_000)
        request = ncalayer.requests[-1]
        assert request["module"] == "kz.gov.pki.knca.commonUtils"
        assert request["method"] == "createCAdESFromBase64"
        assert request["args"][:2] == ["PKCS12", "SIGNATURE"]
        assert base64.b64decode(request["args"][2]) == pdf  # the exact stored bytes
    signature = Signature.objects.get()
    assert (signature.signer, signature.method, signature.language) == (student, "ncalayer", "kk")
    expect(page.locator("main table")).to_contain_text(signature.certificate_serial)
    axe_check(page)


def test_the_content_security_policy_allows_exactly_ncalayer(page, live_server, login, student, document, ca):
    login(page, live_server, student)
    response = page.goto(f"{live_server.url}/documents/{document.public_id}/signatures/")
    policy = response.headers["content-security-policy"]
    connect = next(part for part in policy.split(";") if part.strip().startswith("connect-src")).split()[1:]
    assert connect == ["'self'", "wss://127.0.0.1:13579"]
