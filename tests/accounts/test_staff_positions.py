"""A staff member's position is kept in kk, ru, en and ky: pages show the reader's language, with fallbacks, and the
old one-language text is moved by the migration into the language it is written in."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from inclusion_centre.accounts.models import StaffProfile, guess_language
from tests.factories import StaffProfileFactory, UserFactory


@pytest.mark.parametrize(
    "text,language",
    [
        ("Орталық басшысы", "kk"),
        ("Маман", "kk"),  # no Kazakh-only letter, no Russian one: the default language
        ("Старший преподаватель", "ru"),
        ("Заведующий кафедрой", "ru"),
        ("Окутуучу, бөлүм башчысы", "ky"),
        ("Senior lecturer", "en"),
    ],
)
def test_the_language_of_a_position_is_guessed_from_its_letters(text, language):
    assert guess_language(text) == language


@pytest.mark.django_db
def test_the_position_is_read_in_the_active_language_with_fallbacks():
    profile = StaffProfileFactory(position_kk="Аға оқытушы", position_ru="Старший преподаватель")
    for language, expected in [("kk", "Аға оқытушы"), ("ru", "Старший преподаватель"), ("en", "Аға оқытушы")]:
        with translation.override(language):
            assert profile.position == expected
    only_russian = StaffProfile(position_ru="Психолог")
    assert only_russian.position_in("ky") == "Психолог"
    assert StaffProfile().position_in("kk") == ""


@pytest.mark.django_db
def test_every_language_is_kept_in_the_history():
    profile = StaffProfileFactory()
    profile.position_ru = "Психолог центра"
    profile.save()
    latest = profile.history.first()
    assert latest.position_ru == "Психолог центра"
    assert latest.position_kk == "Маман"


@pytest.mark.django_db
def test_the_admin_lists_and_finds_positions_in_the_reader_language(client):
    admin = UserFactory(is_staff=True, is_superuser=True, preferred_language="ru")
    StaffProfileFactory(position_kk="Аға оқытушы", position_ru="Старший преподаватель")
    client.force_login(admin)
    admin_client = client
    url = reverse("admin:accounts_staffprofile_changelist")
    body = admin_client.get(url, {"q": "Старший"}).content.decode()
    assert "Старший преподаватель" in body
    assert "Аға оқытушы" not in body


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_position_into_its_language(migrated_data):
    executor = MigrationExecutor(connection)
    before = [("accounts", "0012_usersession_user_reference")]
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        old_user, old_profile = old_apps.get_model("accounts", "User"), old_apps.get_model("accounts", "StaffProfile")
        for index, text in enumerate(["Орталық басшысы", "Старший преподаватель", "Senior lecturer", ""]):
            user = old_user.objects.create(email=f"m{index}@example.edu.kz", full_name=f"Person {index}")
            old_profile.objects.create(user=user, position=text)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    rows = {
        profile.user.email: (profile.position_kk, profile.position_ru, profile.position_en, profile.position_ky)
        for profile in StaffProfile.objects.select_related("user")
    }
    assert rows["m0@example.edu.kz"] == ("Орталық басшысы", "", "", "")
    assert rows["m1@example.edu.kz"] == ("", "Старший преподаватель", "", "")
    assert rows["m2@example.edu.kz"] == ("", "", "Senior lecturer", "")
    assert rows["m3@example.edu.kz"] == ("", "", "", "")
