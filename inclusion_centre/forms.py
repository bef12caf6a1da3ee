"""Form plumbing shared by every app."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _


class InvalidFormStatusMixin:
    """Answer an invalid form with 422 Unprocessable Content instead of 200.

    The page is the same (fields, values, an error summary); the status lets assistive tools, tests and
    proxies tell a refused submission from a successful one.
    """

    invalid_status = 422

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = self.invalid_status
        return response


# --- Bounds on what a person may type (issue #20, item 13) ------------------------------------------------------

# A free-text answer longer than this is not an answer (the longest real one in the pilot had 3,000 characters);
# a field that sets its own max_length keeps it.
FREE_TEXT_MAX_LENGTH = 10_000
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_YEARS_AHEAD = 10


def _date_in_range(value: datetime.date) -> None:
    latest = datetime.date(timezone.localdate().year + LATEST_YEARS_AHEAD, 12, 31)
    if value is not None and not EARLIEST_DATE <= value <= latest:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": formats.date_format(EARLIEST_DATE), "latest": formats.date_format(latest)},
        )


class BoundedFieldsMixin:
    """Every free-text field has a length limit (FREE_TEXT_MAX_LENGTH unless it sets its own) and every date lies
    between 1900 and ten years ahead, each refused with a translated message next to the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = FREE_TEXT_MAX_LENGTH
                field.validators.append(
                    MaxLengthValidator(
                        FREE_TEXT_MAX_LENGTH,
                        message=_("Write at most %(limit_value)d characters (you wrote %(show_value)d)."),
                    )
                )
                field.widget.attrs.setdefault("maxlength", str(FREE_TEXT_MAX_LENGTH))
            elif isinstance(field, forms.DateField) and _date_in_range not in field.validators:
                field.validators.append(_date_in_range)


class BoundedForm(BoundedFieldsMixin, forms.Form):
    pass


class BoundedModelForm(BoundedFieldsMixin, forms.ModelForm):
    pass
