from django.utils.cache import patch_cache_control


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
