"""Demo data of the end-of-term delivery surveys, in every state: open, answered as provided, answered as falling
short (with the centre's follow-up task), and expired. Made through the services on the route's own term, as
though it had ended (the demo term ends later than the demo may be loaded); opening finds existing surveys and
adds nothing, and only open surveys are answered, so a second run changes nothing."""

import datetime

from django.utils import timezone

from inclusion_centre.accounts.models import User
from inclusion_centre.accounts.roles import Role
from routes import services
from routes.models import DeliveryAnswer, DeliverySurvey, Route

SHORT_COMMENT = "Дәрістердің электронды нұсқасы екі аптадан кейін ғана берілді."
# The under-review route's surveys were opened long enough ago to have expired unanswered.
EXPIRED_AGO = datetime.timedelta(days=30)


def _answer_all(survey: DeliverySurvey, *, short_first: bool) -> None:
    if survey.status != DeliverySurvey.Status.OPEN:
        return
    answers = {}
    for index, question in enumerate(survey.answers.order_by("order", "pk")):
        if short_first and index == 0:
            answers[question.pk] = (DeliveryAnswer.Answer.PARTLY, SHORT_COMMENT)
        else:
            answers[question.pk] = (DeliveryAnswer.Answer.YES, "")
    services.survey_answer(survey=survey, actor=survey.respondent, answers=answers)


def seed_delivery_surveys(users: dict[Role, User]) -> None:
    today = timezone.localdate()
    in_force = Route.objects.filter(status=Route.Status.IN_FORCE, term__isnull=False).order_by("pk").first()
    if in_force is not None:
        services.surveys_open(route=in_force, term=in_force.term, actor=None, as_of=today)
        surveys = in_force.surveys.select_related("respondent").order_by("pk")
        # The student says one measure was only partly provided; a lecturer other than the demo lecturer answers
        # that everything was; the demo lecturer's survey stays open, waiting for them.
        for survey in surveys:
            if survey.role == DeliverySurvey.Role.STUDENT:
                _answer_all(survey, short_first=True)
        other = surveys.filter(role=DeliverySurvey.Role.LECTURER).exclude(respondent=users[Role.LECTURER]).first()
        if other is not None:
            _answer_all(other, short_first=False)
    under_review = Route.objects.filter(status=Route.Status.UNDER_REVIEW, term__isnull=False).order_by("pk").first()
    if under_review is not None and not under_review.surveys.exists():
        services.surveys_open(route=under_review, term=under_review.term, actor=None, as_of=today - EXPIRED_AGO)
        services.expire_delivery_surveys(as_of=today)
