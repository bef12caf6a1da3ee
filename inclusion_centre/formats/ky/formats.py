# Kyrgyz: Django's formats, with the time always in two digits ("09:05", as on the other pages) and 24 hours.
from django.conf.locale.ky.formats import *  # noqa: F403

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y ж. H:i"
