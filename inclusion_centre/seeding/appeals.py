"""Demo data of the appeals (regulation §8) and of the register of disclosures (§10.3): an appeal in every state
(one of them overdue) against a rejection, a conclusion and a route, and disclosures on each legal ground, made
through the services. Each row is found by a stable key (the grounds, the recipient) first, so a second run adds
nothing."""

import datetime

from django.utils import timezone

from audit.models import Disclosure
from audit.services import disclosure_record
from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from inclusion_centre.history import acting_as
from routes import services
from routes.models import Appeal, Conclusion, Route
from students.models import Application, Student

AP = Appeal.Status

# (stable key: the grounds, which decision, the moves after filing, the answer, overdue)
APPEALS = [
    (
        "Жатақхана туралы өтінішім орталықтың құзыретіне жатпайды деп қабылданбады, бірақ мен арбамен жүремін.",
        "rejection",
        [AP.UNDER_REVIEW, AP.DISMISSED],
        "Жатақханадағы орын — студенттер үйі әкімшілігінің шешімі; орталық өтінішті сол жаққа жолдады.",
        False,
    ),
    ("Екінші өтінішім қайталама емес: онда жаңа құжат бар.", "duplicate", [], "", True),
    ("Қорытындыда ым тілі аудармашысы көрсетілмеген.", "conclusion", [AP.UNDER_REVIEW], "", False),
    ("Маршруттағы үзілістер жеткіліксіз.", "route", [AP.WITHDRAWN], "", False),
    (
        "Маршрутта емтиханға қосымша уақыт жоқ.",
        "route",
        [AP.UNDER_REVIEW, AP.UPHELD],
        "Шағым қанағаттандырылды: маршруттың жаңа нұсқасына емтиханға 30 минут қосымша уақыт енгізіледі.",
        False,
    ),
]

# (stable key: the recipient, categories, ground, the ground in words, days ago)
DISCLOSURES = [
    ("Алматы қаласы Жұмыспен қамту орталығы", ["identity", "conclusion"], "consent", "Студенттің жазбаша келісімі", 20),
    ("Медициналық-әлеуметтік сараптама бөлімі", ["identity", "health"], "request", "Сұрау № 04-12/118", 12),
    ("Қазақстан Республикасы Білім министрлігі", ["identity", "studies"], "law", "Статистикалық есептілік", 5),
    ("«Мүмкіндік» қоғамдық бірлестігі", ["contacts"], "other", "Тәлімгерлік бағдарламаға жолдама", 2),
]


def _target(subject: str):
    """(application, decision subject, conclusion, route) for a demo appeal, or None when the demo has none."""
    if subject in {"rejection", "duplicate"}:
        status = Application.Status.REJECTED if subject == "rejection" else Application.Status.DUPLICATE
        application = Application.objects.filter(status=status).select_related("student__user").order_by("pk").first()
        return (application, "rejection", None, None) if application else None
    if subject == "conclusion":
        signed = Conclusion.objects.filter(status=Conclusion.Status.SIGNED).select_related("application__student__user")
        conclusion = signed.filter(application__routes__isnull=True).order_by("pk").first() or signed.first()
        return (conclusion.application, "conclusion", conclusion, None) if conclusion else None
    route = Route.objects.filter(status=Route.Status.IN_FORCE).select_related("application__student__user").first()
    return (route.application, "route", None, route) if route else None


def seed_appeals(users: dict[Role, User]) -> None:
    for grounds, subject, moves, answer, overdue in APPEALS:
        if Appeal.objects.filter(grounds=grounds).exists():
            continue
        target = _target(subject)
        if target is None:
            continue
        application, kind, conclusion, route = target
        appeal = services.appeal_file(
            actor=application.student.user,
            application=application,
            subject=kind,
            conclusion=conclusion,
            route=route,
            grounds=grounds,
        )
        for to_status in moves:
            actor = application.student.user if to_status == AP.WITHDRAWN else appeal.reviewer
            appeal = services.appeal_move(appeal=appeal, actor=actor, to_status=to_status, answer=answer)
        if overdue:  # filed long enough ago that its deadline has passed
            appeal.due_on = timezone.localdate() - datetime.timedelta(days=3)
            with acting_as(users[Role.CENTRE_HEAD]):
                appeal.save(update_fields=["due_on"])


def seed_disclosures(users: dict[Role, User], students: list[Student]) -> None:
    student = students[0]
    for recipient, categories, ground, ground_text, days in DISCLOSURES:
        if Disclosure.objects.filter(recipient=recipient).exists():
            continue
        disclosure_record(
            actor=users[Role.SPECIALIST] if days % 2 else users[Role.CENTRE_HEAD],
            student=student,
            recipient=recipient,
            categories=categories,
            ground=ground,
            ground_text=ground_text,
            disclosed_on=timezone.localdate() - datetime.timedelta(days=days),
        )
