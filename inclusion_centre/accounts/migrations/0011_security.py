"""Sessions stored with their user (disabling an account ends them); the system administrator's power over
two-step sign-in devices."""

from django.db import migrations, models


def sync(apps, schema_editor):
    from inclusion_centre.accounts.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_display_preferences'),
        ('otp_totp', '0003_add_timestamps'),
        ('otp_static', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='UserSession',
            fields=[
                ('session_key', models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name='session key')),
                ('session_data', models.TextField(verbose_name='session data')),
                ('expire_date', models.DateTimeField(db_index=True, verbose_name='expire date')),
                ('user_id', models.BigIntegerField(db_index=True, null=True, verbose_name='user')),
            ],
            options={
                'verbose_name': 'session',
                'verbose_name_plural': 'sessions',
            },
        ),
        # The system administrator may remove a person's authenticator app and recovery codes.
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
