"""No mail relay (docs/supplychain.md, "No mail relay").

Keiretsu sends e-mail to addresses outside an organisation (supplier invitations, request
notices, reminders, and the notices a supplier's answer sends its customer) only for an
organisation verified for its corporate number — which an invited company becomes by accepting
its invitation — and, when a person acts, only for an account whose e-mail address is verified.
Each organisation may send at most OUTSIDE_MAIL_DAILY_LIMIT such e-mails a day (the
instance's time zone). The e-mails themselves: `notifications.py` (fixed subjects, the
organisation's name cut to 40 characters, text written by a user only inside a marked
quotation, links only to SITE_URL).
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts.models import Organisation, User
from keiretsu.accounts.selectors import has_verified_email

from .models import OutsideMailCount
from .services.errors import MailLimitReached, MailNotAllowed


def account_verified(user: User) -> bool:
    """Whether the person's e-mail address is verified (the accounts app decides how)."""
    return has_verified_email(user)


def may_mail_outside(organisation: Organisation) -> bool:
    return organisation.is_verified


def check_sender(organisation: Organisation, actor: User | None):
    """Refuse, with a reason, to send e-mail to other companies for this organisation and person."""
    if not may_mail_outside(organisation):
        raise MailNotAllowed(
            _(
                "Keiretsu sends e-mail to other companies only for organisations verified for their corporate "
                "number, and %(name)s is not verified yet. It becomes verified when it accepts an invitation a "
                "customer sent it, or when its industry body or the instance administrator verifies it."
            )
            % {"name": organisation.name}
        )
    if actor is not None and not account_verified(actor):
        raise MailNotAllowed(_("Confirm your e-mail address first: Keiretsu sends e-mail to other companies only for verified accounts."))


def limit() -> int:
    return max(0, settings.OUTSIDE_MAIL_DAILY_LIMIT)


def sent_today(organisation: Organisation, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    row = OutsideMailCount.objects.filter(organisation=organisation, day=today).first()
    return row.sent if row else 0


def remaining(organisation: Organisation, today: datetime.date | None = None) -> int:
    return max(0, limit() - sent_today(organisation, today))


def _locked_row(organisation, today):
    row = OutsideMailCount.objects.select_for_update().filter(organisation=organisation, day=today).first()
    if row is None:
        try:
            with transaction.atomic():
                OutsideMailCount.objects.create(organisation=organisation, day=today)
        except IntegrityError:
            pass  # created by a concurrent request meanwhile
        row = OutsideMailCount.objects.select_for_update().get(organisation=organisation, day=today)
    return row


def reserve(organisation: Organisation, count: int, *, today: datetime.date | None = None):
    """Inside the sending transaction: count `count` e-mails against today's limit, or refuse
    them all (nothing is sent, and the transaction's other writes roll back with it)."""
    if count <= 0:
        return
    today = today or timezone.localdate()
    row = _locked_row(organisation, today)
    if row.sent + count > limit():
        left = max(0, limit() - row.sent)
        raise MailLimitReached(
            _(
                "Nothing was sent: this would send %(count)s e-mails to other companies, and %(name)s may send "
                "%(left)s more today (the limit is %(limit)s a day). Try again tomorrow, or send to fewer "
                "suppliers at a time."
            )
            % {"count": count, "name": organisation.name, "left": left, "limit": limit()}
        )
    OutsideMailCount.objects.filter(pk=row.pk).update(sent=row.sent + count)


def try_reserve(organisation: Organisation, count: int = 1, *, today: datetime.date | None = None) -> bool:
    """reserve() for e-mails that may be left out (reminders of the daily sweep, notices a
    customer also sees on its pages): False, and nothing counted, when over the limit or when the
    organisation may not send to other companies."""
    if not may_mail_outside(organisation):
        return False
    try:
        with transaction.atomic():
            reserve(organisation, count, today=today)
    except MailLimitReached:
        return False
    return True
