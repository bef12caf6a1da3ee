"""The audit trail of facts that the accounts app (a layer below) announces by signal: changes of what a user may
do are chained, and every page of the admin site that shows records holding personal data is in the access log."""

from django.dispatch import receiver

from inclusion_centre.accounts.signals import admin_read, powers_changed

from .models import AccessLog, AuditChainEntry
from .services import chain_append, log_access


@receiver(powers_changed, dispatch_uid="audit_chain_powers_changed")
def chain_powers_changed(sender, user, actor, changes, source="", **kwargs):
    payload = {"event": "powers_changed", "user": user.pk, "actor": actor.pk if actor else None, "changes": changes}
    if source:  # roles set by the university's sign-in (OIDC, LDAP): no acting user, the source instead
        payload["source"] = source
    chain_append(kind=AuditChainEntry.Kind.EVENT, obj_or_payload=payload)


@receiver(admin_read, dispatch_uid="audit_log_admin_read")
def log_admin_read(sender, request, obj=None, history=False, **kwargs):
    action = AccessLog.Action.VIEW_HISTORY if history else AccessLog.Action.VIEW_CASE
    log_access(request=request, action=action, obj=obj)
