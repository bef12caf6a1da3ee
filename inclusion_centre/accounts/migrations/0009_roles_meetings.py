"""Gives the centre head the power to plan and manage every interdisciplinary team meeting."""

from django.db import migrations


def sync(apps, schema_editor):
    from inclusion_centre.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_notification_calendar"),
        ("routes", "0004_meetings"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
