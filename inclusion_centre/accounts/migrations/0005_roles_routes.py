"""Gives the roles their permissions on assessments, conclusions and the adaptation catalogue."""

from django.db import migrations


def sync(apps, schema_editor):
    from inclusion_centre.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_roles_applications"),
        ("routes", "0002_adaptation_catalogue"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
