"""Demo data of the student's voice on their route (§4.4) and of the MSE conclusion's validity (§2.3): a draft
with the student's comment, a route in force acknowledged, one acknowledged with a disagreement, approved routes
not acknowledged yet (the version under review); an MSE conclusion valid for long, one lapsing within 30 days
(reminded) and one lapsed (its route in force waits for a review). Runs only for cases seeded in the same run, so a
second `seed_demo` adds nothing."""

import datetime

from django.utils import timezone

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from routes import services
from routes.models import Route
from students.models import Application

# (stage of the demo route, days from today to the MSE re-examination date)
MSE_DAYS = {"draft": 300, "in_force": 20, "superseded": -5}


def _route(application: Application, status: str) -> Route | None:
    return Route.objects.filter(application=application, status=status).order_by("-version").first()


def seed_voices_and_mse(users: dict[Role, User], concluded: dict[str, Application]) -> None:
    head = users[Role.CENTRE_HEAD]
    if "draft" in concluded and (draft := _route(concluded["draft"], Route.Status.DRAFT)):
        services.voice_comment(
            route=draft,
            actor=draft.application.student.user,
            text="Практикалық сабақтарда көмекші керек екенін қосыңызшы; жазбаша жұмыстарға уақыт жеткіліксіз.",
        )
    if "in_force" in concluded and (route := _route(concluded["in_force"], Route.Status.IN_FORCE)):
        services.voice_acknowledge(route=route, actor=route.application.student.user, agrees=True)
    if "superseded" in concluded and (route := _route(concluded["superseded"], Route.Status.IN_FORCE)):
        services.voice_acknowledge(
            route=route,
            actor=route.application.student.user,
            agrees=False,
            text="Емтиханды ауызша тапсыру туралы ұсыныс енгізілмеген.",
        )
    today = timezone.localdate()
    seeded = False
    for stage, days in MSE_DAYS.items():
        if stage in concluded:
            services.mse_record(
                application=concluded[stage],
                actor=head,
                valid_until=today + datetime.timedelta(days=days),
                disability_group=Application.DisabilityGroup.GROUP_II,
            )
            seeded = True
    if seeded:
        services.remind_mse_expiry(as_of=today, actor=None)
