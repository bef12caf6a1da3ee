import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A signed-in user who has not picked a language in this browser gets the one saved in their profile.

    Runs after LocaleMiddleware (which read the cookie and Accept-Language) and after authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.preferred_language
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """End a signed-in session idle for SESSION_IDLE_TIMEOUT, or older than SESSION_ABSOLUTE_TIMEOUT.

    The session cookie's own expiry cannot do either: it is refreshed whenever the session is saved. The sign-in
    time is stored in the session (signals.session_started) and never refreshed; the last request time is
    rewritten at most once a minute, so a busy session does not write the session row on every request.
    """

    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .signals import LAST_SEEN_SESSION_KEY, LOGIN_AT_SESSION_KEY

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = int(time.time())
            login_at = session.get(LOGIN_AT_SESSION_KEY)
            last_seen = session.get(LAST_SEEN_SESSION_KEY)
            if login_at is None:  # signed in by other means (force_login, an older session): start counting now
                session[LOGIN_AT_SESSION_KEY] = login_at = now
                session[LAST_SEEN_SESSION_KEY] = last_seen = now
            idle = now - (last_seen or login_at) > settings.SESSION_IDLE_TIMEOUT
            too_old = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or too_old:
                logout(request)
                messages.info(request, _("Your session has ended. Sign in again to continue."))
                return self._to_login(request)
            if now - (last_seen or 0) >= self.TOUCH_EVERY:
                session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _to_login(request):
        login_url = resolve_url(settings.LOGIN_URL)
        if request.method in ("GET", "HEAD"):
            login_url = f"{login_url}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
        if getattr(request, "htmx", False) or request.headers.get("HX-Request") == "true":
            # htmx would swap the sign-in page into a fragment of the page: send the whole window there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login_url
            return response
        return HttpResponseRedirect(login_url)


class TwoFactorRequiredMiddleware:
    """Until the session has passed the second factor, a user who needs it reaches only the two-factor pages,
    sign-out, the language switch, static files and the health check; everything else redirects there."""

    ALLOWED_URL_NAMES = frozenset(
        {
            "accounts:two_factor_enrol",
            "accounts:two_factor_enrol_check",
            "accounts:two_factor_verify",
            "accounts:logout",
            "set_language",
            "healthz",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import two_factor

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and two_factor.is_required(user)
            and not two_factor.passed(request)
            and not self._allowed(request)
        ):
            name = (
                "accounts:two_factor_verify" if two_factor.has_confirmed_device(user) else "accounts:two_factor_enrol"
            )
            target = reverse(name)
            if request.method in ("GET", "HEAD"):
                target = f"{target}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)
        return self.get_response(request)

    def _allowed(self, request) -> bool:
        if settings.STATIC_URL and request.path_info.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in self.ALLOWED_URL_NAMES
