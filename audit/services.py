"""Writes of the audit trail: status changes and access-log entries."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .history import acting_as
from .models import AccessLog, StatusChange


def record_status_change(
    *, obj: models.Model, from_status: str, to_status: str, actor, comment: str = ""
) -> StatusChange:
    with acting_as(actor):
        return StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            comment=comment,
        )


def _client_address(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it, and a log that
    # believes it can be made to blame someone else.
    return request.META.get("REMOTE_ADDR") or None


def log_access(*, request, action: str, obj: models.Model | None = None) -> AccessLog:
    """Record that request.user read something sensitive (or was refused it)."""
    user = request.user if request.user.is_authenticated else None
    with acting_as(user):
        return AccessLog.objects.create(
            user=user,
            roles=",".join(sorted(user.role_names)) if user else "",
            action=action,
            content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
            object_id=obj.pk if obj is not None else None,
            path=request.path[:300],
            ip_address=_client_address(request),
        )
