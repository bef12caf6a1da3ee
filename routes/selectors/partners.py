"""Reads of the register of external organisations and of the letters about a case."""

from django.db.models import Q, QuerySet

from students.models import Application

from ..models import ContactPerson, Organisation, PartnerLetter
from .common import _case_rows


def organisations(*, q: str = "", kind: str = "") -> QuerySet[Organisation]:
    """The register, by name; `q` searches the name, the address and the contacts' names."""
    found = Organisation.objects.all()
    if kind:
        found = found.filter(kind=kind)
    if q:
        matching = ContactPerson.objects.filter(full_name__icontains=q).values("organisation_id")
        found = found.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(pk__in=matching))
    return found.order_by("name", "pk")


def letter_for(pk: int) -> PartnerLetter | None:
    return (
        PartnerLetter.objects.select_related(
            "application__student__user", "organisation", "contact", "created_by", "sent_by"
        )
        .filter(pk=pk)
        .first()
    )


def case_letters(application: Application) -> list[PartnerLetter]:
    """The case's letters with their addressees, newest first: one query, read once per request."""

    def read():
        return list(PartnerLetter.objects.filter(application=application).select_related("organisation", "contact"))

    return _case_rows(application, "partner_letters", read)
