from django.conf import settings
from django.utils.translation import get_language


def site(request):
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    return {
        "institution_name": settings.INSTITUTION_NAME.get(language) or settings.INSTITUTION_NAME["kk"],
        "language_choices": [(code, settings.LANGUAGE_SELF_NAMES[code]) for code, _name in settings.LANGUAGES],
    }
