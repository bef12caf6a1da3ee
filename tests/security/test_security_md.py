"""Item 8 of issue #13: SECURITY.md says what the system holds, who sees what, how to report a problem, and names
the test that proves each check; /.well-known/security.txt points reporters to the institution's contact."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
TEXT = (ROOT / "SECURITY.md").read_text()


def test_it_has_the_sections_the_issue_asks_for():
    headings = re.findall(r"^## (.+)$", TEXT, re.MULTILINE)
    assert headings == [
        "Reporting a problem",
        "What the system holds",
        "Who may see what",
        "The checks, and the test that proves each",
    ]
    assert "SECURITY_CONTACT" in TEXT


def test_every_check_of_the_issue_is_listed_with_its_test():
    rows = re.findall(r"^\| (\d) \| .+ \| (.+) \|$", TEXT, re.MULTILINE)
    assert [number for number, _proof in rows] == [str(n) for n in range(1, 9)]
    for number, proof in rows:
        assert re.search(r"`tests/[\w/]+\.py`", proof), f"check {number} names no test file"


def test_every_test_file_it_names_exists():
    named = set(re.findall(r"`(tests/[\w/]+\.py|tests/\w+/)`", TEXT))
    assert {"tests/security/test_outbox.py", "tests/security/test_broker_timeout.py"} <= named
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []


@pytest.mark.django_db
def test_security_txt_names_the_contact_once_it_is_set(client, settings):
    settings.SECURITY_CONTACT = ""
    assert client.get("/.well-known/security.txt").status_code == 404

    settings.SECURITY_CONTACT = "security@example.edu.kz"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "Contact: mailto:security@example.edu.kz"
    assert re.fullmatch(r"Expires: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lines[1])
    assert lines[2] == "Preferred-Languages: kk, ru, en, ky"
