"""Gives the centre head and the auditor the register of documents, and the centre head the personal-file export."""

from django.db import migrations


def sync(apps, schema_editor):
    from inclusion_centre.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_roles_routes"),
        ("documents", "0002_registered_documents"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
