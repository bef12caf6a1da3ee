from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from inclusion_centre.forms import InvalidFormStatusMixin

from .forms import EmailAuthenticationForm, LanguagePreferenceForm
from .services import user_set_language


class LoginView(InvalidFormStatusMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(InvalidFormStatusMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(InvalidFormStatusMixin, auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(InvalidFormStatusMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@login_required
def account(request):
    form = LanguagePreferenceForm(request.POST or None, instance=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user_set_language(user=request.user, language=form.cleaned_data["preferred_language"])
            messages.success(request, _("Your language preference is saved."))
            response = redirect("accounts:account")
            # The saved preference wins over whatever this browser chose before.
            response.delete_cookie("language")
            return response
        status = 422
    return render(request, "accounts/account.html", {"form": form}, status=status)
