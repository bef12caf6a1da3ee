from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutesConfig(AppConfig):
    name = "routes"
    verbose_name = _("Assessments, conclusions and routes")

    def ready(self):
        from inclusion_centre import figure_cache

        figure_cache.connect()
