"""Gives the roles their permissions on applications (accounts/roles.py)."""

from django.db import migrations


def sync(apps, schema_editor):
    from inclusion_centre.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_notifications"),
        ("students", "0003_catalogues_and_consent"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
