"""How long the server takes to check one qualified signature (documents.signatures.verify.verify_cms).

    .venv/bin/python bench/verify_signatures.py [RUNS]

One RSA and one GOST 34.10-2015 (512-bit) signature over a 150 KB PDF-sized buffer, made with the NCA test keys of
../shared/fixtures/kz-pki-test/ (or KZ_PKI_FIXTURES) at their signing times, chained to the NCA test CAs and
checked against their CRLs. "first" is the first check in a fresh process (the chain's and the CRL's signatures are
checked too); "repeat" is the median of RUNS more, when those are remembered and only the CMS's own signature and
digest are checked.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inclusion_centre.settings.test")


def main(runs: int) -> None:
    import django

    django.setup()
    from django.conf import settings

    from documents.signatures.verify import verify_cms
    from tests.documents import pki

    settings.SIGNATURE_TRUST_ANCHORS = [str(path) for path in pki.NCA_ANCHORS]
    settings.SIGNATURE_CRL_PATHS = [str(path) for path in pki.NCA_CRLS]
    content = os.urandom(150 * 1024)
    utc = datetime.UTC
    rsa_time, gost_time = datetime.datetime(2021, 6, 1, tzinfo=utc), datetime.datetime(2022, 8, 15, tzinfo=utc)
    key, certificate = pki.rsa_key_store("key_individual_valid_sign_2004.p12")
    private, gost_certificate = pki.gost_key_store("key_individual_valid_2015.p12")
    cases = [
        ("RSA 2048 / SHA-256", pki.rsa_cms(content, key, certificate, rsa_time), "123456789011", rsa_time),
        (
            "GOST 34.10-2015 512 / Streebog-512",
            pki.gost_cms(content, private, gost_certificate, gost_time),
            "123456789012",
            gost_time,
        ),
    ]
    for label, data, iin, when in cases:
        started = time.process_time()
        verify_cms(data=data, content=content, expected_iin=iin, now=when)
        first = time.process_time() - started
        times = []
        for _ in range(runs):
            started = time.process_time()
            verify_cms(data=data, content=content, expected_iin=iin, now=when)
            times.append(time.process_time() - started)
        print(
            f"{label}: first {first * 1000:.0f} ms, repeat median {statistics.median(times) * 1000:.0f} ms "
            f"({runs} runs; CPU time)"
        )
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
