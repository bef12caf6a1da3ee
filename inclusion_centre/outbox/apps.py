from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "inclusion_centre.outbox"
    label = "outbox"
    verbose_name = _("Background job outbox")

    def ready(self):
        from inclusion_centre import cache

        from . import services

        cache.on_outage(services.pause_if_broker_at)
