"""Gives every role its permissions once the route, document and audit models all exist.

Each app's own roles migration syncs what exists when it runs; this one runs after all of them, so the groups end
with exactly ROLE_PERMISSIONS whatever order the apps were migrated in.
"""

from django.db import migrations


def sync(apps, schema_editor):
    from inclusion_centre.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_roles_history"),
        ("routes", "0003_routes"),
        ("documents", "0003_roles"),
        ("audit", "0003_roles_and_chain_backfill"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
