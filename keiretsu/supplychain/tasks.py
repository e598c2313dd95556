"""Background work of the supply chain, run by the database-backed worker (`keiretsu db_worker`).

E-mails are sent here rather than in the web request, so a CSV import of hundreds of suppliers
answers at once; the daily reminder sweep keeps itself scheduled.
"""

import datetime
import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from . import notifications, reminders, services
from .models import AssessmentRequest, Reminder, Share

logger = logging.getLogger(__name__)


@task()
def send_supplier_invitation(invitation_id: int) -> bool:
    issued = services.invitation_issue_token(invitation_id)
    if issued is None:  # replaced, accepted or linked meanwhile
        return False
    invitation, token = issued
    notifications.send_invitation(invitation, token)
    return True


@task()
def send_request_notice(request_ids: list[int]) -> int:
    requests = list(
        AssessmentRequest.objects.filter(pk__in=request_ids, is_current=True)
        .select_related("requester", "supplier__organisation", "edition__guideline", "responded_by", "created_by")
        .order_by("edition__guideline__slug")
    )
    if not requests:
        return 0
    notifications.send_request_notice(requests)
    return len(requests)


@task()
def send_customer_notice(kind: str, object_id: int) -> bool:
    if kind == "declined":
        request = (
            AssessmentRequest.objects.select_related("supplier__organisation", "created_by", "edition__guideline")
            .filter(pk=object_id)
            .first()
        )
        if request is None or request.status != AssessmentRequest.Status.DECLINED:
            return False
        notifications.send_declined(request)
        return True
    if kind == "shared":
        share = (
            Share.objects.select_related(
                "organisation", "recipient", "request__created_by", "edition__guideline", "scope"
            )
            .filter(pk=object_id)
            .first()
        )
        if share is None or not share.is_active:
            return False
        notifications.send_shared(share)
        return True
    raise ValueError(f"unknown notice {kind!r}")


@task()
def send_claim_detached(claim_id: int, verified_id: int) -> int:
    """Tell the owners of an unverified registration why customers' entries were detached from it."""
    from keiretsu.accounts.models import Organisation

    claim = Organisation.objects.filter(pk=claim_id).first()
    verified = Organisation.objects.filter(pk=verified_id).first()
    if claim is None or verified is None:
        return 0
    return len(notifications.send_claim_detached(claim, verified))


@task()
def deliver_reminder(reminder_id: int) -> bool:
    reminder = (
        Reminder.objects.select_related(
            "request__requester",
            "request__supplier__organisation",
            "request__edition__guideline",
            "request__responded_by",
        )
        .filter(pk=reminder_id, sent_at=None)
        .first()
    )
    if reminder is None:
        return False
    return reminders.deliver(reminder, today=timezone.localdate())


@task()
def send_due_reminders(today: str = "", reschedule: bool = True) -> dict:
    """The daily sweep; `today` (ISO date) only for tests and catching up by hand."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    result = reminders.send_due(day)
    if reschedule:
        schedule_reminder_sweep()
    return result


def next_sweep_time(now: datetime.datetime | None = None) -> datetime.datetime:
    now = timezone.localtime(now)
    at = now.replace(hour=settings.REMINDER_HOUR, minute=0, second=0, microsecond=0)
    return at if at > now else at + datetime.timedelta(days=1)


def schedule_reminder_sweep() -> bool:
    """Queue the next daily sweep unless one is already waiting. Returns whether one was queued."""
    backend = send_due_reminders.get_backend()
    if not backend.supports_defer:
        return False
    try:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(task_path=send_due_reminders.module_path, status="READY")
        if waiting.exists():
            return False
    except ImportError:  # another backend that can defer: trust it to be run once a day
        pass
    send_due_reminders.using(run_after=next_sweep_time()).enqueue()
    return True
