from django.conf import settings
from django.utils import translation


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
