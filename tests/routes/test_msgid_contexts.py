"""Short msgids that serve two meanings carry a pgettext context: "from" was shared by the audit history ("previous
status") and a recommendation's source, so each source read "(бұрынғы күйі …)" in Kazakh."""

import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import StatusChange

ROOT = Path(__file__).resolve().parent.parent.parent

# Each homonym, and the contexts its meanings take. A use without a context would pick one meaning for all.
HOMONYMS = {
    "from": ["status change", "recommendation source"],
    "to": ["status change"],
    "by": ["status change"],
    "Register": ["document register", "register an application"],
    "Sent": ["outbox state", "date an application was sent", "date a letter was sent"],
    "Any": ["any action", "any record type", "any category"],
}
# Meanings that must read differently in these languages (same-looking words are fine where the language agrees).
MUST_DIFFER = {
    "kk": [
        ("from", "status change", "recommendation source"),
        ("Register", "document register", "register an application"),
        ("Sent", "outbox state", "date an application was sent"),
    ],
    "ru": [
        ("from", "status change", "recommendation source"),
        ("Register", "document register", "register an application"),
        ("Sent", "outbox state", "date an application was sent"),
        ("Any", "any action", "any category"),
    ],
}
BARE_USE = re.compile(
    r"""(?:\b_|gettext|gettext_lazy|gettext_noop)\(\s*["'](?P<py>[^"']+)["']\s*\)"""
    r"""|\{%\s*(?:translate|trans)\s+["'](?P<tpl>[^"']+)["']\s*(?:as\s+\w+\s*)?%\}"""
)


def _sources():
    for pattern in ("**/*.py", "**/*.html", "**/*.txt"):
        for path in ROOT.glob(pattern):
            parts = path.relative_to(ROOT).parts
            if parts[0] in {".venv", "tests", "node_modules", "staticfiles", "var", ".git"}:
                continue
            yield path


def test_no_homonym_is_used_without_a_context():
    bare = []
    for path in _sources():
        for match in BARE_USE.finditer(path.read_text(encoding="utf-8", errors="ignore")):
            msgid = match.group("py") or match.group("tpl")
            if msgid in HOMONYMS:
                bare.append(f"{path.relative_to(ROOT)}: {msgid!r}")
    assert bare == []


@pytest.mark.parametrize("language", ["kk", "ru", "en", "ky"])
def test_every_meaning_is_in_the_catalogue_and_none_is_bare(language):
    po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    for msgid, contexts in HOMONYMS.items():
        bare = [e for e in po if e.msgid == msgid and not e.msgctxt and not e.obsolete]
        assert bare == [], f"bare {msgid!r} in {language}"
        for context in contexts:
            entry = po.find(msgid, msgctxt=context)
            assert entry is not None and entry.msgstr, f"{language}: {context!r} {msgid!r}"


@pytest.mark.parametrize("language", sorted(MUST_DIFFER))
def test_the_meanings_read_differently(language):
    with translation.override(language):
        for msgid, first, second in MUST_DIFFER[language]:
            assert translation.pgettext(first, msgid) != translation.pgettext(second, msgid), msgid


@pytest.mark.django_db
def test_a_recommendation_source_is_not_a_previous_status_in_kazakh(client, concluded, specialist):
    conclusion = concluded.conclusions.get()
    client.cookies["language"] = "kk"
    client.force_login(specialist)
    body = client.get(reverse("routes:conclusion", args=[conclusion.pk])).content.decode()
    with translation.override("kk"):
        previous_status = str(StatusChange._meta.get_field("from_status").verbose_name)
        source = translation.pgettext("recommendation source", "from")
    assert previous_status == "бұрынғы күйі"
    assert f"({source} " in body
    assert previous_status not in body
