"""Write the object grants that rows already in the database imply (routes/grant_facts.py), so an upgraded database
behaves as before: until now the permission functions read the facts themselves."""

from django.db import migrations

from routes.grant_facts import grant_from_facts


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # The new permissions (assess_application, edit_assessment, agree_routesection) exist before the grants do.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    grant_from_facts(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [
        ("routes", "0005_object_grant_tables"),
        ("students", "0006_object_grants"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
