"""The audit trail: every change is recorded with who, what, before and after.

`record` must run inside the transaction that makes the change, so that a change and its
audit row are committed (or rolled back) together.
"""

from django.db import transaction
from django.utils import timezone

from keiretsu.lib import bulk

from .models import AccountEvent, AuditEvent

_EVENT_LABELS = {}


def register_events(choices):
    """Make an app's event codes (a TextChoices class) known, with their labels."""
    _EVENT_LABELS.update(dict(choices.choices))


def registered_events() -> list[str]:
    return list(_EVENT_LABELS)


def event_label(code):
    return _EVENT_LABELS.get(code, code)


register_events(AccountEvent)


def _check(event):
    if event not in _EVENT_LABELS:
        raise ValueError(f"unregistered audit event {event!r}: declare it and call register_events")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the transaction that makes the change")


def record(*, actor, organisation, event, target, before=None, after=None, target_label=""):
    _check(event)
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


ROW_FIELDS = [
    "organisation",
    "actor",
    "event",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "created_at",
]


def record_many(*, actor, organisation, event, target, rows, at=None):
    """Many rows of one event about one target, in one statement: the same rows `record` would
    write one by one (a checksheet import writes one per changed answer). `rows` are
    (target_label, before, after)."""
    _check(event)
    at = at or timezone.now()
    actor_id = actor.pk if actor is not None else None
    organisation_id = organisation.pk if organisation is not None else None
    target_type, target_id = target._meta.model_name, str(target.pk)
    bulk.insert_rows(
        AuditEvent,
        ROW_FIELDS,
        [
            (organisation_id, actor_id, event, target_type, target_id, label[:300], before, after, at)
            for label, before, after in rows
        ],
    )
