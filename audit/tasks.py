"""Background work of the audit app."""

from celery import shared_task

from . import services


@shared_task(name="audit.tasks.publish_chain_head")
def publish_chain_head() -> int:
    """Daily: append the audit chain's head to AUDIT_ANCHOR_FILE and e-mail it to the auditors; returns its seq."""
    head = services.publish_chain_head()
    return head[0] if head else 0
