"""The checks of a detached CMS over a PDF (documents.signatures.verify): the NCA test material of
../shared/fixtures/kz-pki-test/ at its signing times (its end-user certificates expired in 2022-2023), and a test
CA made here for the RSA path."""

import datetime
import os

import pytest

from documents.signatures import gost, revocation
from documents.signatures.errors import SignatureRefused
from documents.signatures.verify import verify_cms

from . import pki

UTC = datetime.UTC
PDF = b"%PDF-1.7\n% the registered bytes\n"
IIN_RSA, IIN_GOST = "123456789011", "123456789012"
RSA_TIME = datetime.datetime(2021, 6, 1, 9, 0, tzinfo=UTC)  # the RSA signing key's validity: 2021-01-18 … 2022-01-18
GOST_TIME = datetime.datetime(2022, 8, 15, 9, 0, tzinfo=UTC)  # the GOST key's: 2022-07-28 … 2023-07-28


@pytest.fixture(autouse=True)
def _nca(settings):
    if not pki.FIXTURES.is_dir():
        if os.environ.get("CI") == "true":  # CI has ../shared/fixtures: missing there is a failure
            pytest.fail(f"the NCA test material is missing: {pki.FIXTURES}")
        pytest.skip(f"the NCA test material is not at {pki.FIXTURES} (set KZ_PKI_FIXTURES)")
    settings.SIGNATURE_TRUST_ANCHORS = [str(path) for path in pki.NCA_ANCHORS]
    settings.SIGNATURE_CRL_PATHS = [str(path) for path in pki.NCA_CRLS]
    settings.SIGNATURE_OCSP_URL = ""
    settings.SIGNATURE_REVOCATION_REQUIRED = False


@pytest.fixture(scope="module")
def rsa_key():
    return pki.rsa_key_store("key_individual_valid_sign_2004.p12")


@pytest.fixture(scope="module")
def gost_key():
    return pki.gost_key_store("key_individual_valid_2015.p12")


def _refused(code, **kwargs):
    with pytest.raises(SignatureRefused) as caught:
        verify_cms(**kwargs)
    assert caught.value.code == code, caught.value
    assert str(caught.value.message)  # a translated reason for the signer
    return caught.value


def _recorded_ocsp(monkeypatch, settings, name):
    settings.SIGNATURE_OCSP_URL = "http://ocsp.test.invalid/"
    answer = pki.fixture(f"ocsp/{name}").read_bytes()
    asked = []
    monkeypatch.setattr(revocation, "ocsp_transport", lambda url, request: asked.append(url) or answer)
    return asked


# --- The NCA's RSA test key ---------------------------------------------------------------------------------------


def test_an_nca_rsa_signature_over_the_pdf_is_accepted_at_its_signing_time(rsa_key):
    key, certificate = rsa_key
    verified = verify_cms(
        data=pki.rsa_cms(PDF, key, certificate, RSA_TIME), content=PDF, expected_iin=IIN_RSA, now=RSA_TIME
    )
    assert verified.iin == IIN_RSA
    assert verified.serial == "4279390A141F5353A62947B61ED65E81741467D1"
    assert "RSA TEST" in verified.issuer
    assert verified.signing_time == RSA_TIME
    assert verified.algorithm.startswith("RSA")
    assert (verified.revocation.status, verified.revocation.source) == (revocation.GOOD, "crl")


def test_a_tampered_pdf_is_refused(rsa_key):
    key, certificate = rsa_key
    data = pki.rsa_cms(PDF, key, certificate, RSA_TIME)
    _refused("tampered", data=data, content=PDF + b"%changed", expected_iin=IIN_RSA, now=RSA_TIME)


def test_a_forged_signature_value_is_refused(rsa_key):
    key, certificate = rsa_key
    data = bytearray(pki.rsa_cms(PDF, key, certificate, RSA_TIME))
    data[-5] ^= 0x01  # inside the signature value, the last field of the CMS
    _refused("bad_signature", data=bytes(data), content=PDF, expected_iin=IIN_RSA, now=RSA_TIME)


def test_another_persons_certificate_is_refused(rsa_key):
    key, certificate = rsa_key
    data = pki.rsa_cms(PDF, key, certificate, RSA_TIME)
    refused = _refused("wrong_iin", data=data, content=PDF, expected_iin="990101300123", now=RSA_TIME)
    assert refused.detail == IIN_RSA


def test_a_signer_without_an_iin_in_our_records_is_refused(rsa_key):
    key, certificate = rsa_key
    _refused(
        "signer_without_iin",
        data=pki.rsa_cms(PDF, key, certificate, RSA_TIME),
        content=PDF,
        expected_iin="",
        now=RSA_TIME,
    )


def test_an_authentication_key_is_refused():
    key, certificate = pki.rsa_key_store("key_individual_auth_revoked_2004.p12")
    when = datetime.datetime(2022, 1, 18, 5, 0, tzinfo=UTC)
    _refused(
        "authentication_key", data=pki.rsa_cms(PDF, key, certificate, when), content=PDF, expected_iin=IIN_RSA, now=when
    )


def test_an_expired_certificate_is_refused(rsa_key):
    key, certificate = rsa_key
    now = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    _refused(
        "not_valid_at_time", data=pki.rsa_cms(PDF, key, certificate, now), content=PDF, expected_iin=IIN_RSA, now=now
    )


def test_a_certificate_in_the_ncas_crl_is_refused():
    key, certificate = pki.rsa_key_store("key_individual_sign_revoked_2004.p12")
    when = datetime.datetime(2022, 6, 1, tzinfo=UTC)
    refused = _refused(
        "revoked", data=pki.rsa_cms(PDF, key, certificate, when), content=PDF, expected_iin=IIN_RSA, now=when
    )
    assert "CRL" in refused.detail


def test_a_good_ocsp_answer_is_recorded(rsa_key, monkeypatch, settings):
    key, certificate = rsa_key
    asked = _recorded_ocsp(monkeypatch, settings, "ocsp_response_individual_sign_2004.bin")
    verified = verify_cms(
        data=pki.rsa_cms(PDF, key, certificate, RSA_TIME), content=PDF, expected_iin=IIN_RSA, now=RSA_TIME
    )
    assert asked == ["http://ocsp.test.invalid/"]
    assert (verified.revocation.status, verified.revocation.source) == (revocation.GOOD, "ocsp")


def test_an_unreachable_ocsp_responder_falls_back_to_the_crl(rsa_key, monkeypatch, settings):
    key, certificate = rsa_key
    settings.SIGNATURE_OCSP_URL = "http://ocsp.test.invalid/"

    def unreachable(url, request):
        raise OSError("no route to host")

    monkeypatch.setattr(revocation, "ocsp_transport", unreachable)
    verified = verify_cms(
        data=pki.rsa_cms(PDF, key, certificate, RSA_TIME), content=PDF, expected_iin=IIN_RSA, now=RSA_TIME
    )
    assert verified.revocation.source == "crl"


def test_without_ocsp_or_crl_the_record_says_not_checked_or_is_refused_when_required(rsa_key, settings):
    key, certificate = rsa_key
    settings.SIGNATURE_CRL_PATHS = []
    data = pki.rsa_cms(PDF, key, certificate, RSA_TIME)
    verified = verify_cms(data=data, content=PDF, expected_iin=IIN_RSA, now=RSA_TIME)
    assert verified.revocation.status == revocation.NOT_CHECKED
    settings.SIGNATURE_REVOCATION_REQUIRED = True
    _refused("revocation_unchecked", data=data, content=PDF, expected_iin=IIN_RSA, now=RSA_TIME)


def test_a_signing_time_far_from_the_clock_is_refused_for_a_new_signature(rsa_key):
    key, certificate = rsa_key
    data = pki.rsa_cms(PDF, key, certificate, RSA_TIME)
    _refused("signing_time", data=data, content=PDF, expected_iin=IIN_RSA, now=RSA_TIME + datetime.timedelta(hours=2))
    # A stored signature is re-checked at its own signing time.
    later = RSA_TIME + datetime.timedelta(days=1000)
    assert verify_cms(data=data, content=PDF, expected_iin=IIN_RSA, now=later, fresh=False).iin == IIN_RSA


def test_a_chain_that_reaches_no_configured_root_is_refused(rsa_key, settings):
    key, certificate = rsa_key
    settings.SIGNATURE_TRUST_ANCHORS = [str(pki.fixture("ca/nca_gost2015_test.cer"))]
    _refused(
        "untrusted", data=pki.rsa_cms(PDF, key, certificate, RSA_TIME), content=PDF, expected_iin=IIN_RSA, now=RSA_TIME
    )


def test_garbage_is_refused_as_not_a_signature():
    _refused("malformed", data=b"not a CMS at all", content=PDF, expected_iin=IIN_RSA)


# --- The NCA's GOST 34.10-2015 test key ----------------------------------------------------------------------------


def test_the_kazakh_gost_profile_verifies_the_ncas_own_certificate_signature(gost_key):
    from asn1crypto import x509

    from documents.signatures.chain import signed_by

    _private, certificate = gost_key
    issuer = x509.Certificate.load(pki.fixture("ca/nca_gost2015_test.cer").read_bytes())
    assert signed_by(x509.Certificate.load(certificate), issuer)


def test_an_nca_gost_signature_is_accepted_and_a_tampered_pdf_refused(gost_key):
    private, certificate = gost_key
    data = pki.gost_cms(PDF, private, certificate, GOST_TIME)
    verified = verify_cms(data=data, content=PDF, expected_iin=IIN_GOST, now=GOST_TIME)
    assert verified.algorithm.startswith("GOST 34.10-2015")
    assert verified.serial == "FF06211DC82BEB00253FFA000F1DE84ABEF454F"
    _refused("tampered", data=data, content=PDF + b"x", expected_iin=IIN_GOST, now=GOST_TIME)


def test_gost_signature_halves_are_little_endian(gost_key):
    """The same signature read big-endian does not verify: the halves are reversed on purpose."""
    private, certificate = gost_key
    from asn1crypto import x509

    signature = gost.sign(private_key_le=private, data=b"attributes")
    spki = x509.Certificate.load(certificate)["tbs_certificate"]["subject_public_key_info"].dump()
    assert gost.verify(spki_der=spki, data=b"attributes", signature=signature, signature_oid=gost.SIGNATURE_512)
    half = len(signature) // 2
    swapped = signature[:half][::-1] + signature[half:][::-1]
    assert not gost.verify(spki_der=spki, data=b"attributes", signature=swapped, signature_oid=gost.SIGNATURE_512)


def test_a_gost_certificate_the_ocsp_answer_calls_revoked_is_refused(gost_key, monkeypatch, settings):
    private, certificate = gost_key
    # The recorded answer (signed by the GOST 2022 CA with GOST 2015) says revoked, with a revocation time of 1970.
    asked = _recorded_ocsp(monkeypatch, settings, "ocsp_response_individual_2015.bin")
    data = pki.gost_cms(PDF, private, certificate, GOST_TIME)
    refused = _refused("revoked", data=data, content=PDF, expected_iin=IIN_GOST, now=GOST_TIME)
    assert asked and "OCSP" in refused.detail


# --- A test CA made here (the suite does not depend on the fixtures' dates) -------------------------------------


@pytest.fixture
def test_ca(settings, tmp_path):
    ca = pki.TestCA()
    root, _crl = ca.write(tmp_path / "ca")
    settings.SIGNATURE_TRUST_ANCHORS = [str(root)]
    settings.SIGNATURE_CRL_PATHS = [str(tmp_path / "ca" / "test-ca.crl")]
    return ca


def test_the_test_cas_signature_is_accepted_now(test_ca):
    key, certificate = test_ca.issue(iin="990101300123")
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    verified = verify_cms(data=pki.rsa_cms(PDF, key, certificate, now), content=PDF, expected_iin="990101300123")
    assert verified.revocation.status == revocation.GOOD


def test_the_test_cas_revoked_expired_and_authentication_certificates_are_refused(test_ca, tmp_path):
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    revoked_key, revoked = test_ca.issue(iin="990101300123")
    test_ca.revoke(revoked, now - datetime.timedelta(hours=1))
    test_ca.write(tmp_path / "ca")
    _refused("revoked", data=pki.rsa_cms(PDF, revoked_key, revoked, now), content=PDF, expected_iin="990101300123")

    expired_key, expired = test_ca.issue(
        iin="990101300123", valid_from=now - datetime.timedelta(days=20), valid_to=now - datetime.timedelta(days=1)
    )
    _refused(
        "not_valid_at_time", data=pki.rsa_cms(PDF, expired_key, expired, now), content=PDF, expected_iin="990101300123"
    )

    auth_key, auth = test_ca.issue(iin="990101300123", signing=False)
    _refused("authentication_key", data=pki.rsa_cms(PDF, auth_key, auth, now), content=PDF, expected_iin="990101300123")


def test_a_revocation_after_the_signing_time_does_not_undo_the_signature(test_ca, tmp_path):
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    key, certificate = test_ca.issue(iin="990101300123")
    data = pki.rsa_cms(PDF, key, certificate, now - datetime.timedelta(hours=12))
    test_ca.revoke(certificate, now - datetime.timedelta(hours=1))
    test_ca.write(tmp_path / "ca")
    verified = verify_cms(data=data, content=PDF, expected_iin="990101300123", fresh=False)
    assert verified.revocation.status == revocation.GOOD
    assert "later" in verified.revocation.detail


def test_a_certificate_of_an_unconfigured_ca_is_refused(test_ca):
    stranger = pki.TestCA()
    key, certificate = stranger.issue(iin="990101300123")
    now = datetime.datetime.now(UTC).replace(microsecond=0)
    _refused("untrusted", data=pki.rsa_cms(PDF, key, certificate, now), content=PDF, expected_iin="990101300123")
