"""A staff member's position in each language (kk, ru, en, ky): the one text stored so far is copied into the field
of the language its letters show, on the profiles and on their history rows, before the old column goes."""

import re

from django.conf import settings
from django.db import migrations, models

LANGUAGES = ["kk", "ru", "en", "ky"]


def _guess_language(text: str) -> str:
    # A copy of accounts.models.guess_language as it was when this migration was written.
    if re.search("[әғқұһіӘҒҚҰҺІ]", text):
        return "kk"
    if re.search("[ңөүҢӨҮ]", text):
        return "ky"
    if text.strip() and not re.search(r"[\u0400-\u04ff]", text):
        return "en"
    if re.search(r"[ёъэщьЁЪЭЩ]|(ий|ый|ой|ая)\b", text, re.IGNORECASE):
        return "ru"
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in LANGUAGES else "kk"


def copy_forward(apps, schema_editor):
    # Row by row, not update(): a few hundred profiles at most, and each goes to its own column.
    for name in ("StaffProfile", "HistoricalStaffProfile"):
        model = apps.get_model("accounts", name)
        for row in model.objects.exclude(position="").only("pk", "position").iterator():
            field = f"position_{_guess_language(row.position)}"
            model.objects.filter(pk=row.pk).update(**{field: row.position})


def copy_back(apps, schema_editor):
    for name in ("StaffProfile", "HistoricalStaffProfile"):
        model = apps.get_model("accounts", name)
        for row in model.objects.all().iterator():
            value = next(
                (getattr(row, f"position_{code}") for code in LANGUAGES if getattr(row, f"position_{code}")), ""
            )
            if value:
                model.objects.filter(pk=row.pk).update(position=value)


def _text(label):
    return models.CharField(blank=True, max_length=200, verbose_name=label)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_usersession_user_reference"),
    ]

    operations = [
        *[
            migrations.AddField(model_name=model, name=f"position_{code}", field=_text(f"position ({language})"))
            for model in ("staffprofile", "historicalstaffprofile")
            for code, language in (("kk", "Kazakh"), ("ru", "Russian"), ("en", "English"), ("ky", "Kyrgyz"))
        ],
        migrations.RunPython(copy_forward, copy_back),
        migrations.RemoveField(model_name="historicalstaffprofile", name="position"),
        migrations.RemoveField(model_name="staffprofile", name="position"),
    ]
