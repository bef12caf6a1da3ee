"""The roles of DOMAIN.md as Django groups, with the model-level permissions each role holds.

Object-level grants (this student's case, this route's course section) are made by services through
django-guardian when a fact changes; this table holds only the powers that come with the role itself. Each
app that adds models adds its lines here and a data migration that calls `sync_roles`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    REPRESENTATIVE = "representative", _("Legal representative")
    SPECIALIST = "specialist", _("Centre specialist")
    CENTRE_HEAD = "centre_head", _("Centre head")
    LECTURER = "lecturer", _("Lecturer")
    ADMINISTRATION = "administration", _("Administration")
    AUDITOR = "auditor", _("Data protection officer / auditor")
    SYSADMIN = "sysadmin", _("System administrator")
    EXAM_OFFICE = "exam_office", _("Exam office")


_REFERENCE_MODELS = ("faculty", "programme", "studygroup", "academicterm", "course", "teachingassignment")
_VIEW_REFERENCE = [f"students.view_{m}" for m in _REFERENCE_MODELS]
_MANAGE_REFERENCE = [
    f"students.{action}_{m}"
    for m in (*_REFERENCE_MODELS, "student", "enrolment")
    for action in ("add", "change", "view")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.STUDENT: [],
    Role.REPRESENTATIVE: [],
    Role.SPECIALIST: [*_VIEW_REFERENCE, "routes.view_adaptation"],
    Role.CENTRE_HEAD: [
        *_VIEW_REFERENCE,
        "students.view_student",
        "students.view_enrolment",
        "students.view_application",
        "students.register_application",
        "students.view_supportingdocument",
        "students.view_consent",
        "routes.add_adaptation",
        "routes.change_adaptation",
        "routes.view_adaptation",
        "routes.add_assignment",
        "routes.view_assignment",
        "routes.view_assessment",
        "routes.view_conclusion",
        "routes.sign_conclusion",
        "routes.view_route",
        "routes.manage_route",
        "documents.view_registereddocument",
        "documents.view_register",
        "documents.export_personal_file",
        "documents.issue_signature_sheet",
        "audit.view_history",
        "routes.view_teammeeting",
        "routes.manage_teammeeting",
    ],
    Role.LECTURER: [*_VIEW_REFERENCE],
    Role.ADMINISTRATION: [*_VIEW_REFERENCE, "routes.approve_route"],
    # Enters every course's exam sessions, keeps the rooms, sees the day's arrangements (times, rooms, assistants).
    Role.EXAM_OFFICE: [
        *_VIEW_REFERENCE,
        "routes.manage_examsession",
        "routes.add_room",
        "routes.change_room",
        "routes.view_room",
    ],
    Role.AUDITOR: ["documents.view_register", "audit.view_history", "audit.view_accesslog", "audit.view_statuschange"],
    Role.SYSADMIN: [
        *_MANAGE_REFERENCE,
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.add_staffprofile",
        "accounts.change_staffprofile",
        "accounts.view_staffprofile",
        "auth.view_group",
        # A person who lost both phone and recovery codes: the system administrator removes their authenticator
        # app (and codes), and the next sign-in sets up a new one.
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
        "routes.add_adaptation",
        "routes.change_adaptation",
        "routes.view_adaptation",
        *[
            f"students.{action}_{model}"
            for model in ("needcategory", "conditionoption", "consenttext")
            for action in ("add", "change", "view")
        ],
    ],
}

# Roles whose members work inside the institution and see personal data as part of their job.
STAFF_ROLES = frozenset(
    {
        Role.SPECIALIST,
        Role.CENTRE_HEAD,
        Role.LECTURER,
        Role.ADMINISTRATION,
        Role.AUDITOR,
        Role.SYSADMIN,
        Role.EXAM_OFFICE,
    }
)


def sync_roles(apps) -> None:
    """Create the role groups and set each one's model-level permissions to exactly ROLE_PERMISSIONS.

    Takes the migration's `apps` so it can run inside a data migration; permissions of apps migrated in the
    same run are created first, since Django would otherwise only create them after the whole migrate.
    Permissions of models that a later migration creates are skipped here: that migration calls this again.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
