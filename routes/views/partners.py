"""External organisations and the letters to them (§5.2 e): the register with its search, an organisation's page
with its contact persons, a case's letters (draft, send, record the reply), and the hand-overs to the archive."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.view_helpers import page_of, query_without_page
from audit.workflow import IllegalMove
from inclusion_centre.accounts.roles import Role
from students.models import Application

from ..forms.partners import ContactForm, LetterAnswerForm, OrganisationForm, OrganisationSearchForm, PartnerLetterForm
from ..models import ContactPerson, HandOver, Organisation, PartnerLetter
from ..permissions import partners as permissions
from ..selectors import partners as selectors
from ..services import partners as services
from .common import CONFLICT, INVALID, add_errors, post_data, status_for

PER_PAGE = 20


def _register_only(user) -> None:
    if not permissions.can_keep_register(user):
        raise Http404


def _write(form, write) -> int | None:
    """Call `write()` for a valid form: None after a success, else the status to answer with (errors on the form)."""
    if not form.is_valid():
        return INVALID
    try:
        write()
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        add_errors(form, error)
        return status_for(error)
    return None


@login_required
@never_cache
@require_GET
def organisations(request):
    _register_only(request.user)
    form = OrganisationSearchForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    page = page_of(request, selectors.organisations(q=filters.get("q", ""), kind=filters.get("kind", "")), PER_PAGE)
    context = {"form": form, "page": page, "items": list(page), "query": query_without_page(request)}
    return render(request, "routes/partners/organisations.html", context)


def _organisation_page(request, organisation: Organisation | None):
    form = OrganisationForm(post_data(request), instance=organisation)
    status = 200
    if request.method == "POST":
        saved = []

        def write():
            saved.append(services.organisation_save(actor=request.user, organisation=organisation, **form.cleaned_data))

        status = _write(form, write)
        if status is None:
            messages.success(request, _("The organisation is saved."))
            return redirect("routes:organisation", pk=saved[0].pk)
    contacts = list(organisation.contacts.all()) if organisation is not None else []
    context = {"form": form, "organisation": organisation, "contacts": contacts}
    return render(request, "routes/partners/organisation.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def organisation_new(request):
    _register_only(request.user)
    return _organisation_page(request, None)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def organisation(request, pk):
    _register_only(request.user)
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return _organisation_page(request, found)


def _contact_page(request, organisation: Organisation, contact: ContactPerson | None):
    form = ContactForm(post_data(request), instance=contact)
    status = 200
    if request.method == "POST":

        def write():
            services.contact_save(actor=request.user, organisation=organisation, contact=contact, **form.cleaned_data)

        status = _write(form, write)
        if status is None:
            messages.success(request, _("The contact person is saved."))
            return redirect("routes:organisation", pk=organisation.pk)
    context = {"form": form, "organisation": organisation, "contact": contact}
    return render(request, "routes/partners/contact.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def contact_new(request, pk):
    _register_only(request.user)
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return _contact_page(request, found, None)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    _register_only(request.user)
    contact = ContactPerson.objects.select_related("organisation").filter(pk=pk).first()
    if contact is None:
        raise Http404
    return _contact_page(request, contact.organisation, contact)


# --- Letters about a case -----------------------------------------------------------------------------------


def _letter_form_page(request, application: Application, letter: PartnerLetter | None):
    initial = {"letter_date": timezone.localdate()}
    if letter is not None:
        initial = {
            "organisation": letter.organisation_id,
            "contact": letter.contact_id,
            "subject": letter.subject,
            "body": letter.body,
            "letter_date": letter.letter_date,
        }
    form = PartnerLetterForm(post_data(request), initial=initial)
    status = 200
    if request.method == "POST":
        saved = []

        def write():
            if letter is None:
                saved.append(services.letter_draft(actor=request.user, application=application, **form.cleaned_data))
            else:
                saved.append(services.letter_update(actor=request.user, letter=letter, **form.cleaned_data))

        status = _write(form, write)
        if status is None:
            messages.success(request, _("The draft letter is saved."))
            return redirect("routes:partner_letter", pk=saved[0].pk)
    context = {"form": form, "application": application, "letter": letter}
    return render(request, "routes/partners/letter_form.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def partner_letter_new(request, public_id):
    application = Application.objects.select_related("student__user").filter(public_id=public_id).first()
    if application is None or not permissions.can_write_letters(request.user, application):
        raise Http404
    return _letter_form_page(request, application, None)


def _readable_letter(user, pk) -> PartnerLetter:
    letter = selectors.letter_for(pk)
    if letter is None or not permissions.can_read_letter(user, letter):
        raise Http404
    return letter


def _letter_page(request, letter: PartnerLetter, *, answer_form=None, status: int = 200, error: str = ""):
    can_write = permissions.can_write_letters(request.user, letter.application)
    document = letter.application.student.registered_documents.filter(
        document_type="partner_letter", object_id=letter.pk
    ).first()
    context = {
        "letter": letter,
        "application": letter.application,
        "can_write": can_write,
        "answer_form": answer_form
        if answer_form is not None
        else (LetterAnswerForm() if can_write and letter.status == PartnerLetter.Status.SENT else None),
        "document": document,
        "error": error,
    }
    return render(request, "routes/partners/letter.html", context, status=status)


@login_required
@never_cache
@require_GET
def partner_letter(request, pk):
    return _letter_page(request, _readable_letter(request.user, pk))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def partner_letter_edit(request, pk):
    letter = _readable_letter(request.user, pk)
    if not permissions.can_write_letters(request.user, letter.application):
        raise Http404
    if letter.status != PartnerLetter.Status.DRAFT:
        return redirect("routes:partner_letter", pk=letter.pk)
    return _letter_form_page(request, letter.application, letter)


@login_required
@never_cache
@require_POST
def partner_letter_send(request, pk):
    letter = _readable_letter(request.user, pk)
    try:
        services.letter_send(actor=request.user, letter=letter)
    except PermissionDenied as denied:
        raise Http404 from denied
    except IllegalMove as refused:
        return _letter_page(request, letter, status=CONFLICT, error=" ".join(refused.messages))
    messages.success(request, _("The letter is sent and registered with an outgoing number."))
    return redirect("routes:partner_letter", pk=letter.pk)


@login_required
@never_cache
@require_POST
def partner_letter_answer(request, pk):
    letter = _readable_letter(request.user, pk)
    if not permissions.can_write_letters(request.user, letter.application):
        raise Http404
    form = LetterAnswerForm(request.POST)

    def write():
        services.letter_answer(actor=request.user, letter=letter, **form.cleaned_data)

    status = _write(form, write)
    if status is None:
        messages.success(request, _("The reply is recorded."))
        return redirect("routes:partner_letter", pk=letter.pk)
    return _letter_page(request, selectors.letter_for(letter.pk), answer_form=form, status=status)


# --- Hand-overs to the archive ------------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def handovers(request):
    """What retention handed to the archive before destroying it: for the centre head and the administration."""
    if not (request.user.has_role(Role.CENTRE_HEAD) or request.user.has_role(Role.ADMINISTRATION)):
        raise Http404
    page = page_of(request, HandOver.objects.select_related("application").order_by("-handed_over_at", "-pk"), PER_PAGE)
    return render(request, "routes/partners/handovers.html", {"page": page, "items": list(page)})
