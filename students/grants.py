"""The object grants of a legal representation (inclusion_centre/accounts/grants.py).

A representative acts for the student (`students.act_for_student` on the Student) and reads the student's
applications (`students.view_application`) for as long as the representation lasts. Representations are recorded in
the admin (the student's page), by the import and by the demo seed, none of which goes through a service, so the
grants follow the rows themselves: StudentsConfig.ready() connects these receivers to Representation's saves and
deletions.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from inclusion_centre.accounts.grants import grant, revoke

from .models import Application, Representation

_PREVIOUS = "_representative_before_save"


def _grant(student, representative) -> None:
    grant(representative, "students.act_for_student", student)
    for application in Application.objects.filter(student=student):
        grant(representative, "students.view_application", application)


def _revoke(student, representative) -> None:
    revoke(representative, "students.act_for_student", student)
    for application in Application.objects.filter(student=student):
        # A specialist assigned to the case keeps reading it as such.
        if not representative.has_perm("students.assess_application", application):
            revoke(representative, "students.view_application", application)


def _remember_previous(sender, instance: Representation, **kwargs) -> None:
    if instance.pk:
        previous = Representation.objects.filter(pk=instance.pk).select_related("representative").first()
        instance.__dict__[_PREVIOUS] = previous


def _began(sender, instance: Representation, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    previous = instance.__dict__.pop(_PREVIOUS, None)
    if previous is not None and (previous.representative_id, previous.student_id) != (
        instance.representative_id,
        instance.student_id,
    ):
        _revoke(previous.student, previous.representative)
    _grant(instance.student, instance.representative)


def _ended(sender, instance: Representation, **kwargs) -> None:
    _revoke(instance.student, instance.representative)


def connect() -> None:
    pre_save.connect(_remember_previous, sender=Representation, dispatch_uid="students.representation.previous")
    post_save.connect(_began, sender=Representation, dispatch_uid="students.representation.began")
    post_delete.connect(_ended, sender=Representation, dispatch_uid="students.representation.ended")
