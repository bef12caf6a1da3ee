"""The translation catalogues are complete, free of fuzzy entries, compiled, and cover every string in the code."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["kk", "ru", "en", "ky"]


def _po(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_not_fuzzy(language):
    po = _po(language)
    assert len(po) > 50
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"untranslated in {language}: {untranslated[:10]}"
    assert fuzzy == [], f"fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    """A stale .mo (edited .po, not recompiled) would show old texts: compare every message."""
    po = _po(language)
    mo_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = compiled._catalog
    for entry in po.translated_entries():
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                key = (entry.msgid, int(index))
                if entry.msgctxt:
                    key = (f"{entry.msgctxt}\x04{entry.msgid}", int(index))
                assert catalog.get(key) == text, f"{language}: stale plural {entry.msgid!r}"
        else:
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            assert catalog.get(key) == entry.msgstr, f"{language}: stale {entry.msgid!r} — run make messages"


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """Extract the strings again into a copy of the project: none may be missing from the committed catalogue."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "var", "staticfiles", "node_modules", "*.pyc", "__pycache__", "tests"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "kk", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "inclusion_centre.settings.local"},
    )
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale" / "kk" / "LC_MESSAGES" / "django.po"))}
    committed = {e.msgid for e in _po("kk") if not e.obsolete}
    missing = sorted(extracted - committed)
    assert missing == [], f"strings missing from the catalogues (run make messages): {missing[:10]}"


# Django's own strings that its Kazakh and Kyrgyz catalogues lack (issue 20, finding 18): outside locale/*/django.po,
# which `make messages` rebuilds from the project's code alone.
DJANGO_STRINGS = [
    ROOT / "locale_django" / "kk" / "LC_MESSAGES" / "django.po",
    ROOT / "locale_django" / "ky" / "LC_MESSAGES" / "django.po",
    ROOT / "locale" / "kk" / "LC_MESSAGES" / "djangojs.po",
    ROOT / "locale" / "ky" / "LC_MESSAGES" / "djangojs.po",
]


@pytest.mark.parametrize("path", DJANGO_STRINGS, ids=lambda p: f"{p.parts[-4]}/{p.parts[-3]}/{p.name}")
def test_catalogues_of_djangos_own_strings_are_complete_and_compiled(path):
    from django.conf import settings

    assert ROOT / "locale_django" in [Path(p) for p in settings.LOCALE_PATHS]
    po = polib.pofile(str(path))
    assert len(po) > 20
    assert [e.msgid for e in po if not e.translated()] == []
    with path.with_suffix(".mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    for entry in po:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            assert catalog.get((key, 0)) == entry.msgstr_plural[0], entry.msgid
        else:
            assert catalog.get(key) == entry.msgstr, entry.msgid
        # Never the English text again: every entry is a real translation.
        assert (entry.msgstr or entry.msgstr_plural[0]) != entry.msgid, entry.msgid
