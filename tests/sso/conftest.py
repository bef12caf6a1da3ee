"""Real servers for the sign-in tests, started once per run on loopback ports.

- `oidc_provider`: tests/sso/oidc_provider.py in its own Python process (discovery, JWKS, RS256-signed ID tokens,
  PKCE, end_session_endpoint).
- `directory`: Debian's slapd as a non-system instance (its own config file, data directory and port), loaded
  from directory.ldif with slapadd and serving StartTLS with a certificate made for the run. Skipped off CI when
  slapd is not installed; under CI=true a missing slapd fails (.ci/run installs it).
"""

import datetime
import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import ldap
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

from inclusion_centre.accounts.roles import Role

from . import oidc_provider as op

HERE = Path(__file__).resolve().parent
SLAPD = Path("/usr/sbin/slapd")
SLAPADD = Path("/usr/sbin/slapadd")
SUFFIX = "dc=uni,dc=test"
STARTUP_SECONDS: dict[str, float] = {}  # how long each server took to answer (reported in the summary)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process.poll() is None, f"{what} stopped: {process.stderr.read() if process.stderr else ''}"
            assert time.monotonic() < deadline, f"{what} did not start within {seconds} s"
            time.sleep(0.05)


def pytest_terminal_summary(terminalreporter):
    for name, seconds in STARTUP_SECONDS.items():
        terminalreporter.write_line(f"sign-in test server {name} answered after {seconds:.2f} s")


# --- OpenID provider ---------------------------------------------------------------------------------------------


class Provider:
    def __init__(self, issuer: str):
        self.issuer = issuer

    def _call(self, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        # The loopback test provider, over http: by construction
        request = urllib.request.Request(self.issuer + path, data=data, method="POST" if data else "GET")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return json.loads(answer.read())

    def will_sign_in(self, forge: str = "", **claims):
        """Whom the provider's next authorization is for, and what its ID token gets wrong (see oidc_provider)."""
        self._call("/_test/next", {"claims": claims, "forge": forge})

    def log(self) -> list[dict]:
        return self._call("/_test/log")

    def authorize(self, url: str) -> str:
        """Follow the browser to the provider's authorization URL; returns where it sends the browser back."""
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == self.issuer, url

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(url, timeout=10)
        except urllib.error.HTTPError as answer:
            assert answer.code == 302, answer.read()
            return answer.headers["Location"]
        raise AssertionError("the provider did not redirect")


@pytest.fixture(scope="session")
def oidc_provider():
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(HERE / "oidc_provider.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    port = int(process.stdout.readline())
    _wait_for_port(port, process, "the OpenID provider")
    STARTUP_SECONDS["OpenID provider"] = time.monotonic() - started
    yield Provider(f"http://127.0.0.1:{port}")
    process.terminate()
    process.wait(timeout=10)


OIDC_GROUP_ROLES = {"ic-centre-heads": Role.CENTRE_HEAD.value, "ic-lecturers": Role.LECTURER.value}


@pytest.fixture
def oidc(settings, oidc_provider):
    """The app configured for the test provider, as an operator would set it from the environment."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_DISCOVERY_URL = f"{oidc_provider.issuer}/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = op.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = op.CLIENT_SECRET
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "UniID"
    settings.OIDC_CLAIM_SIS_ID = "student_id"
    settings.OIDC_GROUP_ROLES = OIDC_GROUP_ROLES
    return oidc_provider


def sign_in_through(client, provider, *, next_url: str = "", **follow):
    """Start at our sign-in button, pass the provider, come back: returns (our callback's answer, its URL)."""
    start = client.get("/accounts/oidc/start/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    back = provider.authorize(start["Location"])
    parts = urlsplit(back)
    assert parts.path == "/accounts/oidc/callback/"
    callback = f"{parts.path}?{parts.query}"
    return client.get(callback, **follow), callback


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- Directory (slapd) ---------------------------------------------------------------------------------------------


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


class Directory:
    def __init__(self, uri: str, ca_file: Path):
        self.uri = uri
        self.ca_file = ca_file


@pytest.fixture(scope="session")
def directory(tmp_path_factory):
    if not SLAPD.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("slapd is not installed (.ci/run installs it)")
        pytest.skip("slapd is not installed (.ci/run installs it)")
    started = time.monotonic()
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "data").mkdir()
    cert_file, key_file = _certificate(folder)
    config = folder / "slapd.conf"
    config.write_text(
        "\n".join(
            [
                *(f"include /etc/ldap/schema/{name}.schema" for name in ("core", "cosine", "inetorgperson", "nis")),
                f"pidfile {folder / 'slapd.pid'}",
                f"argsfile {folder / 'slapd.args'}",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                f"TLSCertificateFile {cert_file}",
                f"TLSCertificateKeyFile {key_file}",
                "access to attrs=userPassword by anonymous auth by * none",
                "access to * by users read by * none",
                "database mdb",
                f'suffix "{SUFFIX}"',
                f'rootdn "cn=admin,{SUFFIX}"',
                f"directory {folder / 'data'}",
                "maxsize 10485760",
                "",
            ]
        )
    )
    subprocess.run(
        [str(SLAPADD), "-f", str(config), "-l", str(HERE / "directory.ldif")], check=True, capture_output=True
    )
    port = _free_port()
    process = subprocess.Popen(
        [str(SLAPD), "-h", f"ldap://127.0.0.1:{port}/", "-f", str(config), "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_port(port, process, "slapd")
    STARTUP_SECONDS["slapd"] = time.monotonic() - started
    yield Directory(f"ldap://127.0.0.1:{port}", cert_file)
    process.terminate()
    process.wait(timeout=10)


LDAP_GROUP_ROLES = {
    f"cn=centre-heads,ou=groups,{SUFFIX}": Role.CENTRE_HEAD.value,
    f"cn=lecturers,ou=groups,{SUFFIX}": Role.LECTURER.value,
    f"cn=students,ou=groups,{SUFFIX}": Role.STUDENT.value,
}


@pytest.fixture
def ldap_settings(settings, directory):
    """The app configured for the test directory, with StartTLS checked against the run's certificate."""
    settings.LDAP_SERVER_URI = settings.AUTH_LDAP_SERVER_URI = directory.uri
    settings.LDAP_ENABLED = True
    settings.AUTH_LDAP_START_TLS = True
    settings.AUTH_LDAP_BIND_DN = f"uid=reader,ou=people,{SUFFIX}"
    settings.AUTH_LDAP_BIND_PASSWORD = "reader-secret"
    settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(f"ou=people,{SUFFIX}", ldap.SCOPE_SUBTREE, "(uid=%(user)s)")
    settings.AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        f"ou=groups,{SUFFIX}", ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"
    )
    settings.AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
    settings.AUTH_LDAP_CONNECTION_OPTIONS = {
        ldap.OPT_NETWORK_TIMEOUT: 5,
        ldap.OPT_TIMEOUT: 5,
        ldap.OPT_REFERRALS: 0,
        ldap.OPT_X_TLS_CACERTFILE: str(directory.ca_file),
        ldap.OPT_X_TLS_REQUIRE_CERT: ldap.OPT_X_TLS_DEMAND,
        ldap.OPT_X_TLS_NEWCTX: 0,
    }
    settings.LDAP_GROUP_ROLES = LDAP_GROUP_ROLES
    settings.LDAP_ATTR_SIS_ID = "employeeNumber"
    return directory
