"""Gives the centre head and the administration their permissions on individual educational routes."""

from django.db import migrations


def sync(apps, schema_editor):
    from inclusion_centre.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_roles_routes"),
        ("routes", "0003_routes"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
