"""The audit log's one writer: `record` for one change, `record_many` for many rows of one event."""

import pytest
from django.db import transaction

from keiretsu.accounts import audit
from keiretsu.accounts.models import AccountEvent, AuditEvent

pytestmark = pytest.mark.django_db

FIELDS = (
    "organisation_id",
    "actor_id",
    "event",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "created_at",
)


def test_record_many_writes_the_rows_record_writes(alpha, alice):
    event = AccountEvent.ORGANISATION_UPDATED
    with transaction.atomic():
        one = audit.record(
            actor=alice,
            organisation=alpha,
            event=event,
            target=alpha,
            target_label="Alpha No.1",
            before={"rating": "×"},
            after={"rating": "○", "comment": "対策済み"},
        )
        audit.record_many(
            actor=alice,
            organisation=alpha,
            event=event,
            target=alpha,
            at=one.created_at,
            rows=[("Alpha No.1", {"rating": "×"}, {"rating": "○", "comment": "対策済み"}), ("x" * 400, None, {})],
        )
    first, second, third = AuditEvent.objects.filter(event=event).order_by("pk")
    assert [getattr(second, f) for f in FIELDS] == [getattr(first, f) for f in FIELDS]
    assert (third.target_label, third.before, third.after) == ("x" * 300, None, {})


def test_record_many_refuses_an_unregistered_event(alpha, alice):
    with pytest.raises(ValueError, match="unregistered"):
        audit.record_many(
            actor=alice, organisation=alpha, event="nobody.declared", target=alpha, rows=[("x", None, {})]
        )
    assert not AuditEvent.objects.filter(event="nobody.declared").exists()
