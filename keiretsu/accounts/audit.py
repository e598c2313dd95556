"""The audit trail: every change is recorded with who, what, before and after.

`record` must run inside the transaction that makes the change, so that a change and its
audit row are committed (or rolled back) together.
"""

from django.db import transaction

from .models import AccountEvent, AuditEvent

_EVENT_LABELS = {}


def register_events(choices):
    """Make an app's event codes (a TextChoices class) known, with their labels."""
    _EVENT_LABELS.update(dict(choices.choices))


def event_label(code):
    return _EVENT_LABELS.get(code, code)


register_events(AccountEvent)


def record(*, actor, organisation, event, target, before=None, after=None, target_label=""):
    if event not in _EVENT_LABELS:
        raise ValueError(f"unregistered audit event {event!r}: declare it and call register_events")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction that makes the change")
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor,
        event=event,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        target_label=target_label or str(target)[:300],
        before=before,
        after=after,
    )
