from django.http import Http404
from django.utils.cache import patch_cache_control


class AccessRefused(Http404):
    """A 404 for a record that exists but that the user may not see. Selectors raise it instead of a bare Http404
    so that the refusal is logged (LogRefusedAccessMiddleware): the page still says only "not found"."""

    def __init__(self, obj):
        super().__init__()
        self.obj = obj


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in user may carry personal data: no browser or proxy may keep a copy.

    Adds `Cache-Control: no-store, private` unless the view set Cache-Control itself (never_cache already says
    no-store; a view that sets something else has decided). Public pages that show personal data (document
    verification) use never_cache. Runs after AuthenticationMiddleware; static files never reach it (WhiteNoise
    answers them earlier).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class LogRefusedAccessMiddleware:
    """Record in the access log every refused attempt to open a record that exists (DOMAIN: "nobody sees an object
    by guessing its URL … and the attempt is logged"). Only for signed-in users: anyone else is sent to sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AccessRefused) and request.user.is_authenticated:
            from .models import AccessLog
            from .services import log_access

            log_access(request=request, action=AccessLog.Action.DENIED, obj=exception.obj)
        return None  # Django goes on to answer 404 as for any Http404
