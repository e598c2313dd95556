"""Reminders: before the due date and when overdue, each sent at most once; and the
customer's reminder by hand (`reminder_nudge`, at most once a day per request).

The worker runs `tasks.send_due_reminders` once a day. For each open request of a supplier on
Keiretsu that has not shared its result with the customer yet, it sends the reminder of the
nearest configured day before the due date (REMINDER_DAYS_BEFORE_DUE, 14 and 3 by default)
that has been reached, and one when the request is overdue. A reminder is claimed (a row with
a unique constraint) before it is sent, so a second run or a second worker never repeats it;
a day missed by the worker is not made up with a stale reminder, only with the next one due.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, User
from keiretsu.lib import reminder_windows

from . import notifications, outgoing, selectors
from .models import AssessmentRequest, Reminder, SupplierStatus, SupplyChainEvent
from .services.common import enqueue, require_answerer, sent_request_locked
from .services.errors import Conflict

logger = logging.getLogger(__name__)


def reminder_days() -> list[int]:
    """Days before the due date, nearest first."""
    return reminder_windows.days_before(settings.REMINDER_DAYS_BEFORE_DUE)


def kind_due(request: AssessmentRequest, today: datetime.date, days: list[int]) -> str | None:
    """Which automatic reminder is due today, if any (the rule: lib.reminder_windows)."""
    nearest = reminder_windows.window_due(request.due_date, request.created_at, today, days)
    if nearest is None:
        return None
    if nearest == reminder_windows.OVERDUE:
        return Reminder.OVERDUE
    return Reminder.before_due(nearest)


def candidates(today: datetime.date):
    days = reminder_days()
    horizon = today + datetime.timedelta(days=max(days, default=0))
    overdue_sent = Reminder.objects.filter(request=OuterRef("pk"), kind=Reminder.OVERDUE)
    return (
        AssessmentRequest.objects.filter(
            is_current=True,
            status__in=AssessmentRequest.OPEN,
            supplier__organisation__isnull=False,
            due_date__lte=horizon,
        )
        .filter(Q(due_date__gte=today) | ~Exists(overdue_sent))
        .annotate(supplier_status=selectors.supplier_status("", today=today))
        .exclude(supplier_status=SupplierStatus.SHARED)
        .select_related("supplier__organisation", "requester", "edition__guideline", "responded_by", "created_by")
    )


def claim_due(today: datetime.date) -> list[Reminder]:
    """Claim today's reminders (one row each, audited); sending comes after.

    A reminder counts against its customer's daily limit of e-mails to other companies
    (outgoing.py): the most urgent first; those over the limit, or of a customer that may not
    send e-mail to other companies, are left for the next day's sweep (the overdue one and the
    nearest window stay due), and never sent twice."""
    days = reminder_days()
    requests = sorted(candidates(today), key=lambda r: (r.due_date, r.pk))
    sent = set(Reminder.objects.filter(request__in=[r.pk for r in requests]).values_list("request_id", "kind"))
    claimed = []
    for request in requests:
        kind = kind_due(request, today, days)
        if kind is None or (request.pk, kind) in sent:
            continue
        try:
            with transaction.atomic():
                if not outgoing.try_reserve(request.requester, today=today):
                    logger.warning("reminder of request %s left for tomorrow: no e-mail left today", request.pk)
                    continue
                reminder = Reminder.objects.create(request=request, kind=kind)
                audit.record(
                    actor=None,
                    organisation=request.requester,
                    event=SupplyChainEvent.REMINDER_SENT,
                    target=request,
                    target_label=f"{request.supplier.name} · {request.edition}",
                    after={"kind": kind, "due_date": request.due_date.isoformat()},
                )
        except IntegrityError:
            continue  # claimed by another run meanwhile
        reminder.request = request
        claimed.append(reminder)
    return claimed


def deliver(reminder: Reminder, *, today: datetime.date) -> bool:
    """Send a claimed reminder; a failure is kept on the row (it is not retried: at most once)."""
    request = reminder.request
    status = selectors.supplier_status_of(request, today=today)
    try:
        addresses = notifications.send_reminder(reminder, today=today, submitted=status == SupplierStatus.SUBMITTED)
    except Exception as exc:  # SMTP down, bad address...: keep the reason, go on with the others
        logger.exception("reminder %s could not be sent", reminder.pk)
        Reminder.objects.filter(pk=reminder.pk).update(error=str(exc)[:1000])
        return False
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now(), recipients=", ".join(addresses))
    return True


def send_due(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    claimed = claim_due(today)
    delivered = sum(deliver(reminder, today=today) for reminder in claimed)
    return {"claimed": len(claimed), "sent": delivered}


def reminder_nudge(
    *, membership: Membership, actor: User, request: AssessmentRequest, today: datetime.date
) -> Reminder:
    """The customer reminds a supplier by hand (at most once a day per request)."""
    from . import tasks

    require_answerer(membership)
    outgoing.check_sender(membership.organisation, actor)
    with transaction.atomic():
        request = sent_request_locked(membership, request)
        if not request.is_open:
            raise Conflict(_("Only an open request can be reminded of."))
        if not request.supplier.organisation_id:
            raise Conflict(_("This supplier is not on Keiretsu yet: send the invitation again instead."))
        status = selectors.supplier_status_of(request, today=today)
        if status == SupplierStatus.SHARED:
            raise Conflict(_("This supplier has already shared its result with you."))
        start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        if request.reminders.filter(kind=Reminder.MANUAL, created_at__gte=start).exists():
            raise Conflict(_("A reminder was already sent today. Try again tomorrow."))
        outgoing.reserve(membership.organisation, 1, today=today)
        reminder = Reminder.objects.create(request=request, kind=Reminder.MANUAL, created_by=actor)
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.REMINDER_SENT,
            target=request,
            target_label=f"{request.supplier.name} · {request.edition}",
            after={"kind": Reminder.MANUAL},
        )
        enqueue(tasks.deliver_reminder, reminder.pk)
    return reminder
