from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from inclusion_centre.forms import InvalidFormStatusMixin

from . import two_factor
from .forms import (
    AnyPasswordResetForm,
    DirectoryAuthenticationForm,
    DisplayPreferenceForm,
    EmailAuthenticationForm,
    LanguagePreferenceForm,
    OneTimeCodeForm,
)
from .invitations import invitation_accepted, invitation_tokens
from .models import Notification
from .notifications import mark_all_read, mark_read, notifications_for, user_set_notify_by_email
from .services import user_set_display, user_set_language

NOTIFICATIONS_PER_PAGE = 20


def _posted(request):
    """The submitted data, or None on GET (`request.POST or None` would take an empty POST for a GET)."""
    return request.POST if request.method == "POST" else None


class LoginView(InvalidFormStatusMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_form_class(self):
        return DirectoryAuthenticationForm if settings.LDAP_ENABLED else EmailAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context


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


class InvitationView(InvalidFormStatusMixin, auth_views.PasswordResetConfirmView):
    """The link of an invitation: set a first password, once. A used, expired or altered link, or a disabled
    account, gets a page that says so and offers "Forgot your password?" (which works for these accounts too)."""

    template_name = "accounts/invitation.html"
    token_generator = invitation_tokens
    reset_url_token = "first-password"  # noqa: S105 (the URL segment that stands for the token, not a secret)
    success_url = reverse_lazy("accounts:invitation_done")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        invitation_accepted(user=form.user)
        return response


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
    context = {
        "form": form,
        "display_form": display_form,
        "has_two_factor": two_factor.has_confirmed_device(request.user),
    }
    return render(request, "accounts/account.html", context, status=status)


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


# --- Two-factor sign-in ---------------------------------------------------------------------------------------

RECOVERY_CODES_SESSION_KEY = "_recovery_codes_to_show"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_enrol(request):
    """Set up the authenticator app: a QR code and the secret, confirmed by a code; then recovery codes, once."""
    if not two_factor.is_required(request.user) and not two_factor.has_confirmed_device(request.user):
        return redirect("home")
    if two_factor.has_confirmed_device(request.user):
        return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': _next_url(request)})}")
    if request.session.get(two_factor.ENROL_PROOF_SESSION_KEY) != request.user.pk:
        return redirect(f"{reverse('accounts:two_factor_enrol_check')}?{urlencode({'next': _next_url(request)})}")
    device = two_factor.pending_app_device(request.user)
    form = OneTimeCodeForm(
        _posted(request),
        label=_("Code from the app"),
        help_text=_("The six digits the app shows now."),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            if two_factor.throttled_device(device):
                form.add_error("code", _("Too many wrong codes. Wait a minute and try again."))
            else:
                codes = two_factor.confirm_app_device(user=request.user, device=device, code=form.cleaned_data["code"])
                if codes is None:
                    form.add_error("code", _("This code is not right. Enter the code the app shows now."))
                else:
                    request.session.cycle_key()
                    django_otp.login(request, two_factor.confirmed_app_device(request.user))
                    request.session.pop(two_factor.ENROL_PROOF_SESSION_KEY, None)
                    request.session[RECOVERY_CODES_SESSION_KEY] = codes
                    request.session["_after_recovery_codes"] = _next_url(request)
                    return redirect("accounts:two_factor_recovery_codes")
    context = {
        "form": form,
        "secret": two_factor.secret_for_typing(device),
        "qr_svg": two_factor.qr_code_svg(device, title=_("QR code to scan with the authenticator app")),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_enrol.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_enrol_check(request):
    """Before an app is set up: a code e-mailed to the account's address, or a recovery code, shows it is the person
    and not only someone who knows the password. A POST with `send` e-mails a new code."""
    if two_factor.has_confirmed_device(request.user) or not two_factor.is_required(request.user):
        return redirect("accounts:two_factor_enrol")
    form = OneTimeCodeForm(
        _posted(request) if "send" not in request.POST else None,
        label=_("Code from the e-mail, or a recovery code"),
        help_text=_("Six digits from the e-mail we sent you, or one of your recovery codes (each works once)."),
    )
    status = 200
    if request.method == "POST" and "send" in request.POST:
        if two_factor.send_enrolment_code(user=request.user):
            messages.success(request, _("We have sent a code to %(email)s.") % {"email": request.user.email})
        else:
            messages.warning(request, _("A code was sent less than a minute ago. Wait a minute before asking again."))
        return redirect(f"{reverse('accounts:two_factor_enrol_check')}?{urlencode({'next': _next_url(request)})}")
    if request.method == "POST":
        status = 422
        if form.is_valid():
            device, waiting = two_factor.check_enrolment_proof(user=request.user, code=form.cleaned_data["code"])
            if device is None:
                form.add_error(
                    "code",
                    _("Too many wrong codes. Wait a minute and try again.")
                    if waiting
                    else _("This code is not right, was used already or has run out. Check it, or ask for a new one."),
                )
            else:
                request.session.cycle_key()
                request.session[two_factor.ENROL_PROOF_SESSION_KEY] = request.user.pk
                return redirect(f"{reverse('accounts:two_factor_enrol')}?{urlencode({'next': _next_url(request)})}")
    context = {
        "form": form,
        "next": _next_url(request),
        "email": request.user.email,
        "code_sent": two_factor.enrolment_code_pending(request.user),
    }
    return render(request, "accounts/two_factor_enrol_check.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_verify(request):
    """The second step of signing in: a code from the app, or a recovery code."""
    if not two_factor.has_confirmed_device(request.user):
        return redirect(f"{reverse('accounts:two_factor_enrol')}?{urlencode({'next': _next_url(request)})}")
    if two_factor.passed(request):
        return redirect(_next_url(request))
    form = OneTimeCodeForm(
        _posted(request),
        label=_("Code from the authenticator app, or a recovery code"),
        help_text=_("Six digits from the app, or one of your recovery codes (each works once)."),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            device, waiting = two_factor.check_code(user=request.user, code=form.cleaned_data["code"])
            if device is None and waiting:
                form.add_error("code", _("Too many wrong codes. Wait a minute and try again."))
            elif device is None:
                form.add_error("code", _("This code is not right. Check it and try again."))
            else:
                # A new session key for the session that now holds more power, as at sign-in.
                request.session.cycle_key()
                django_otp.login(request, device)
                if isinstance(device, StaticDevice):
                    left = two_factor.recovery_codes_left(request.user)
                    messages.warning(
                        request,
                        ngettext(
                            "You used a recovery code. %(count)d is left: make new ones on your account page.",
                            "You used a recovery code. %(count)d are left: make new ones on your account page.",
                            left,
                        )
                        % {"count": left},
                    )
                return redirect(_next_url(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_recovery_codes(request):
    """New recovery codes are shown once, right after they are made; a POST replaces them with new ones."""
    if not two_factor.has_confirmed_device(request.user):
        raise Http404
    if request.method == "POST":
        request.session[RECOVERY_CODES_SESSION_KEY] = two_factor.new_recovery_codes(user=request.user)
        request.session.pop("_after_recovery_codes", None)
        return redirect("accounts:two_factor_recovery_codes")
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    context = {
        "codes": [f"{code[:4]}-{code[4:]}" for code in codes or []],
        "left": two_factor.recovery_codes_left(request.user),
        "continue_to": request.session.pop("_after_recovery_codes", None) if codes else None,
    }
    return render(request, "accounts/two_factor_recovery_codes.html", context)
