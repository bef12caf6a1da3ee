import datetime
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from inclusion_centre.accounts.services import user_set_language
from inclusion_centre.pages.home import home_context

logger = logging.getLogger(__name__)


def home(request):
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    return render(request, "home.html", home_context(request.user))


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in user's choice is also kept in their profile."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            httponly=True,
        )
        if request.user.is_authenticated and request.user.preferred_language != language:
            user_set_language(user=request.user, language=language)
    return response


# The checks answer True when healthy. Why one failed goes to the log, never to the (public) answer: an exception's
# name or message tells a stranger which driver, host or version runs here.


def _check_database() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "not healthy"
        logger.exception("Health check: the database does not answer")
        return False
    return True


def _check_redis() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception:  # a refused connection, a timeout or a bad URL all mean "not healthy"
        logger.exception("Health check: Redis does not answer")
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    """200 when every configured dependency answers, 503 naming the ones that do not (and nothing about why)."""
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    failed = sorted(name for name, healthy in checks.items() if not healthy)
    body = {
        "status": "ok" if not failed else "unavailable",
        "checks": {name: ("ok" if healthy else "error") for name, healthy in checks.items()},
    }
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


@require_GET
def security_txt(request):
    """/.well-known/security.txt (RFC 9116): where to report a security problem, from SECURITY_CONTACT (404 when
    the institution has not set it). Machine-read, so not translated."""
    contact = settings.SECURITY_CONTACT.strip()
    if not contact:
        raise Http404
    if ":" not in contact:  # a bare e-mail address
        contact = f"mailto:{contact}"
    expires = (timezone.now() + datetime.timedelta(days=180)).strftime("%Y-%m-%dT%H:%M:%SZ")
    languages = ", ".join(code for code, _name in settings.LANGUAGES)
    body = f"Contact: {contact}\nExpires: {expires}\nPreferred-Languages: {languages}\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def bench_floor(request):
    """The benchmark's floor: a signed-in page through the whole middleware stack that makes one query of its own.

    Every page costs at least this much; the benchmark reports each page's latency as a multiple of it. Answers 404
    unless BENCH_FLOOR is on (bench/run.py turns it on for its server only).
    """
    if not settings.BENCH_FLOOR:
        raise Http404
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
