"""Consultations for lecturers and the guidance notes: the lecturer's requests with the form to ask, the centre's
queue, a request's page with the centre's actions; the library of guidance notes and its editor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AccessLog
from audit.services import log_access
from audit.view_helpers import page_of, query_without_page

from .. import services
from ..forms.consultation import (
    ConsultationAnswerForm,
    ConsultationCloseForm,
    ConsultationFilterForm,
    ConsultationForm,
    GuidanceNoteForm,
)
from ..permissions import consultation as permissions
from ..permissions.requests import is_centre_worker
from ..selectors import consultation as selectors
from .common import INVALID, form_write, post_data

PER_PAGE = 20


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_consultations(request):
    """The lecturer's own requests and the form to ask the centre."""
    if not permissions.is_lecturer(request.user):
        raise Http404
    courses = list(selectors.lecturer_courses(request.user))
    students = list(selectors.lecturer_students(request.user))
    form = ConsultationForm(post_data(request), courses=courses, students=students)
    status = 200
    if request.method == "POST":
        by_course = {course.pk: course for course in courses}
        by_student = {student.pk: student for student in students}

        def write():
            data = form.cleaned_data
            services.consultation_request(
                actor=request.user,
                course=by_course[data["course"]],
                student=by_student.get(data["student"]),
                question=data["question"],
            )

        status = form_write(form, write)
        if status is None:
            messages.success(request, _("Your question is sent to the centre."))
            return redirect("routes:consultations")
    page = page_of(request, selectors.own_consultations(request.user), PER_PAGE)
    items = selectors.mark_overdue(list(page))
    return render(
        request, "routes/consultations/mine.html", {"form": form, "page": page, "items": items}, status=status
    )


@login_required
@never_cache
@require_GET
def consultation_queue(request):
    """The centre's queue: the open requests by default, the oldest deadline first; overdue ones marked."""
    if not is_centre_worker(request.user):
        raise Http404
    form = ConsultationFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.consultation_queue(
        status=filters.get("status", ""), mine=filters.get("mine", False), user=request.user
    )
    page = page_of(request, found, PER_PAGE)
    items = selectors.mark_overdue(list(page))
    context = {"form": form, "page": page, "items": items, "query": query_without_page(request)}
    return render(request, "routes/consultations/queue.html", context, status=200 if form.is_valid() else INVALID)


def _permissions_of(user, item) -> dict[str, bool]:
    return {
        "take": permissions.can_take_consultation(user, item),
        "answer": permissions.can_answer_consultation(user, item),
        "close": permissions.can_close_consultation(user, item) or permissions.can_withdraw_consultation(user, item),
    }


def _page(request, item, *, status=200, answer_form=None, close_form=None):
    user = request.user
    if item.student_id and user.pk != item.lecturer_id:
        log_access(request=request, action=AccessLog.Action.VIEW_CASE, obj=item)
    selectors.mark_overdue([item])
    context = {
        "item": item,
        "can": _permissions_of(user, item),
        "answer_form": answer_form or ConsultationAnswerForm(),
        "close_form": close_form or ConsultationCloseForm(),
        "own": user.pk == item.lecturer_id,
        "centre": is_centre_worker(user),
        "timeline": selectors.consultation_timeline(item),
    }
    return render(request, "routes/consultations/detail.html", context, status=status)


@login_required
@never_cache
@require_GET
def consultation(request, pk):
    """A request: the question, the answer, its timeline, and what the reader may do with it."""
    return _page(request, selectors.consultation_for(request.user, pk))


def _allowed(request, pk, action: str):
    item = selectors.consultation_for(request.user, pk)
    if not _permissions_of(request.user, item)[action]:
        raise Http404
    return item


@login_required
@require_POST
def consultation_take(request, pk):
    item = _allowed(request, pk, "take")
    try:
        services.consultation_take(item=item, actor=request.user)
    except PermissionDenied as denied:
        raise Http404 from denied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("routes:consultation", pk=item.pk)
    messages.success(request, _("You took the request; answer it by its due date."))
    return redirect("routes:consultation", pk=item.pk)


@login_required
@require_POST
def consultation_answer(request, pk):
    item = _allowed(request, pk, "answer")
    form = ConsultationAnswerForm(request.POST)
    status = form_write(form, lambda: services.consultation_answer(item=item, actor=request.user, **form.cleaned_data))
    if status is None:
        messages.success(request, _("The answer is recorded and the lecturer is told."))
        return redirect("routes:consultation", pk=item.pk)
    return _page(request, item, status=status, answer_form=form)


@login_required
@require_POST
def consultation_close(request, pk):
    item = _allowed(request, pk, "close")
    form = ConsultationCloseForm(request.POST)
    status = form_write(form, lambda: services.consultation_close(item=item, actor=request.user, **form.cleaned_data))
    if status is None:
        messages.success(request, _("The request is closed."))
        return redirect("routes:consultation", pk=item.pk)
    return _page(request, item, status=status, close_form=form)


# --- Guidance notes -----------------------------------------------------------------------------------------


@login_required
@require_GET
def guidance(request):
    """The library: every adaptation in use, linked to its note where one is written."""
    if not permissions.can_read_guidance(request.user):
        raise Http404
    context = {"adaptations": selectors.guidance_library(), "can_edit": permissions.can_edit_guidance(request.user)}
    return render(request, "routes/consultations/guidance.html", context)


@login_required
@require_GET
def guidance_note(request, pk):
    if not permissions.can_read_guidance(request.user):
        raise Http404
    adaptation = selectors.adaptation_for(pk)
    if adaptation.note is None and not permissions.can_edit_guidance(request.user):
        raise Http404
    context = {
        "adaptation": adaptation,
        "note": adaptation.note,
        "can_edit": permissions.can_edit_guidance(request.user),
    }
    return render(request, "routes/consultations/guidance_note.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def guidance_edit(request, pk):
    """The centre head writes an adaptation's note in each language."""
    if not permissions.can_edit_guidance(request.user):
        raise Http404
    adaptation = selectors.adaptation_for(pk)
    note = adaptation.note
    initial = {f: getattr(note, f) for f in GuidanceNoteForm.base_fields} if note else {"title_kk": adaptation.name_kk}
    form = GuidanceNoteForm(post_data(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = form_write(
            form,
            lambda: services.guidance_note_save(adaptation=adaptation, actor=request.user, texts=form.cleaned_data),
        )
        if status is None:
            messages.success(request, _("The guidance note is saved."))
            return redirect("routes:guidance_note", pk=adaptation.pk)
    context = {"adaptation": adaptation, "form": form}
    return render(request, "routes/consultations/guidance_edit.html", context, status=status)
