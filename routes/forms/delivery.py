"""The end-of-term delivery survey form: one "was this provided?" and one comment per question. The service checks
the same rules again (routes/services/delivery.py)."""

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from inclusion_centre.forms import BoundedForm

from ..models import DeliveryAnswer
from ..services.delivery import COMMENT_MAX_LENGTH

CHOOSE = _("Choose yes, partly or no.")


def question_text(question: DeliveryAnswer) -> str:
    """What a question asks about: a support measure (who and what) or a course."""
    if question.measure_id:
        measure = question.measure
        return f"{measure.who}: {Truncator(measure.what).chars(160)}"
    return str(question.section.course)


def question_hint(question: DeliveryAnswer) -> str:
    if question.measure_id:
        return question.measure.frequency
    section = question.section
    return Truncator(" ".join(p for p in (section.content_adaptation, section.assessment_forms) if p)).chars(300)


class SurveyForm(BoundedForm):
    def __init__(self, *args, questions: list[DeliveryAnswer], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            what = question_text(question)
            self.fields[f"q{question.pk}_answer"] = forms.ChoiceField(
                label=_("Was this provided? %(what)s") % {"what": what},
                help_text=question_hint(question),
                choices=DeliveryAnswer.Answer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": CHOOSE, "invalid_choice": CHOOSE},
            )
            self.fields[f"q{question.pk}_comment"] = forms.CharField(
                label=_("Comment on: %(what)s") % {"what": what},
                help_text=_("Needed when the answer is partly or no: what was missing?"),
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def pairs(self):
        """(answer field, comment field) per question, for the template."""
        return [(self[f"q{q.pk}_answer"], self[f"q{q.pk}_comment"]) for q in self.questions]

    def clean(self):
        data = super().clean()
        for question in self.questions:
            answer = data.get(f"q{question.pk}_answer")
            if answer in DeliveryAnswer.SHORT and not (data.get(f"q{question.pk}_comment") or "").strip():
                self.add_error(f"q{question.pk}_comment", _("Say what was missing, so the centre can put it right."))
        return data

    def answers(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {q.pk: (data[f"q{q.pk}_answer"], data.get(f"q{q.pk}_comment", "")) for q in self.questions}
