"""A developer's machine: `make run`. Debug on, e-mails printed to the console."""

from .base import *
from .base import env

DEBUG = env.bool("DEBUG", default=True)

# Static files come straight from the source folders (WhiteNoise finders); no collectstatic needed locally.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
