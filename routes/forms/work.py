"""The filters of a person's work list (routes.selectors.work)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..selectors.work import KINDS, STATES


class WorkFilterForm(forms.Form):
    """GET filters: what kind of work, its state, only overdue, and the order by due date."""

    SORTS = (("due", _("Earliest due first")), ("-due", _("Latest due first")))

    kind = forms.ChoiceField(label=_("Kind of work"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    sort = forms.ChoiceField(label=pgettext_lazy("sort order of a list", "Order"), required=False, choices=SORTS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *KINDS.items()]
        self.fields["state"].choices = [("", _("All states")), *STATES.items()]

    def apply(self, items: list, today) -> list:
        """The items that pass the filters, in the chosen order (earliest due first unless asked otherwise)."""
        data = self.cleaned_data
        if data.get("kind"):
            items = [item for item in items if item.kind == data["kind"]]
        if data.get("state"):
            items = [item for item in items if item.state == data["state"]]
        if data.get("overdue"):
            items = [item for item in items if item.is_overdue(today)]
        if data.get("sort") == "-due":
            items = sorted(items, key=lambda item: item.due, reverse=True)
        return items
