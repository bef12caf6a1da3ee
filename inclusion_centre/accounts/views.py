from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inclusion_centre.forms import InvalidFormStatusMixin

from .forms import AnyPasswordResetForm, DisplayPreferenceForm, EmailAuthenticationForm, LanguagePreferenceForm
from .models import Notification
from .notifications import mark_all_read, mark_read, notifications_for, user_set_notify_by_email
from .services import user_set_display, user_set_language

NOTIFICATIONS_PER_PAGE = 20


class LoginView(InvalidFormStatusMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(InvalidFormStatusMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(InvalidFormStatusMixin, auth_views.PasswordResetView):
    form_class = AnyPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(InvalidFormStatusMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def account(request):
    # Two forms on one page; the display form's button names itself, so each POST binds only its own form.
    posted_display = request.method == "POST" and "display" in request.POST
    posted_language = request.method == "POST" and not posted_display
    form = LanguagePreferenceForm(request.POST if posted_language else None, instance=request.user)
    display_form = DisplayPreferenceForm(
        request.POST if posted_display else None, instance=request.user, prefix="display"
    )
    status = 200
    if posted_display:
        if display_form.is_valid():
            user_set_display(
                user=request.user,
                large_text=display_form.cleaned_data["large_text"],
                high_contrast=display_form.cleaned_data["high_contrast"],
            )
            messages.success(request, _("Your display settings are saved."))
            return redirect("accounts:account")
        # The form modified the instance while validating: show the page as it was saved.
        request.user.refresh_from_db(fields=["large_text", "high_contrast"])
        status = 422
    elif posted_language:
        if form.is_valid():
            user_set_language(user=request.user, language=form.cleaned_data["preferred_language"])
            user_set_notify_by_email(user=request.user, notify_by_email=form.cleaned_data["notify_by_email"])
            messages.success(request, _("Your settings are saved."))
            response = redirect("accounts:account")
            # The saved preference wins over whatever this browser chose before.
            response.delete_cookie("language")
            return response
        status = 422
    return render(request, "accounts/account.html", {"form": form, "display_form": display_form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notifications(request):
    """The signed-in user's notifications, unread first; a POST marks them all read."""
    if request.method == "POST":
        if mark_all_read(user=request.user):
            messages.success(request, _("All your notifications are marked as read."))
        return redirect("accounts:notifications")
    page = Paginator(notifications_for(request.user), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of the user's notifications read and go where it points (the list when it points nowhere)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(notification=notification, user=request.user)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("accounts:notifications")
