"""`manage.py follow_enrolments`: routes in force follow the students' enrolments now (the daily beat task does
the same at 06:15)."""

from django.core.management.base import BaseCommand

from routes.services import follow_enrolments


class Command(BaseCommand):
    help = "Routes in force gain sections for new enrolments (with letters to their lecturers) and retire dropped ones."

    def handle(self, *args, **options):
        followed = follow_enrolments(actor=None)
        self.stdout.write(f"sections added: {len(followed.added)}, retired: {len(followed.retired)}")
