"""E-mails of the supply chain, each written in its recipient's language.

No mail relay (docs/supplychain.md): a subject is fixed text plus an organisation's name cut to
40 characters (`lib.mailtext.name`); text a user wrote appears only in the body, inside a marked
quotation (`lib.mailtext.quotation`); the only links are the instance's own (`absolute`).
Whether an organisation may send at all, and how many a day: `outgoing.py`.

Supplier side: the contact on the customer's list (in the language the customer gave for
them) until someone of the supplier accepts; then that person, in the language they used.
Customer side: whoever sent the request, in the language they used.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from keiretsu.lib import mailtext

from .models import AssessmentRequest, Reminder, Share, SupplierInvitation


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def supplier_recipients(request: AssessmentRequest) -> list[tuple[str, str]]:
    """(address, language) of whoever answers this request on the supplier's side."""
    responder = request.responded_by
    if request.status == AssessmentRequest.Status.ACCEPTED and responder is not None and responder.is_active:
        return [(responder.email, request.responder_language or request.supplier.language)]
    return [(request.supplier.contact_email, request.supplier.language)]


def customer_recipients(request: AssessmentRequest) -> list[tuple[str, str]]:
    if request.created_by is not None and request.created_by.is_active:
        return [(request.created_by.email, request.requester_language)]
    return []


def _send(recipients, subject_and_body):
    """Render and send one e-mail per language; returns the addresses written to."""
    by_language = {}
    for address, language in recipients:
        by_language.setdefault(language or settings.LANGUAGE_CODE, []).append(address)
    sent = []
    for language, addresses in by_language.items():
        with translation.override(language):
            subject, body = subject_and_body()
        send_mail(subject, body, None, addresses)
        sent += addresses
    return sent


def send_invitation(invitation: SupplierInvitation, token: str):
    supplier = invitation.supplier
    customer = supplier.customer
    url = absolute(reverse("supplychain:invitation", args=[token]))

    def render():
        context = {
            "invitation": invitation,
            "customer_name": mailtext.name(customer.name),
            "customer_number": customer.corporate_number,
            # Every invitation names the (verified) address that sent it.
            "sender": invitation.invited_by.email if invitation.invited_by else "",
            "url": url,
            "expires": invitation.expires_at,
        }
        subject = _("Keiretsu: invitation to a cybersecurity self-assessment from %(customer)s") % {
            "customer": context["customer_name"]
        }
        return subject, render_to_string("supplychain/email/invitation.txt", context)

    return _send([(invitation.email, supplier.language)], render)


def send_request_notice(requests: list[AssessmentRequest]):
    first = requests[0]
    url = absolute(reverse("supplychain:inbox", args=[first.supplier.organisation_id]))

    def render():
        context = {
            "requests": requests,
            "first": first,
            "customer_name": mailtext.name(first.requester.name),
            "sender": first.created_by.email if first.created_by else "",
            "message": mailtext.quotation(first.message) if first.message.strip() else "",
            "url": url,
        }
        subject = _("Keiretsu: request for a cybersecurity self-assessment from %(customer)s") % {
            "customer": context["customer_name"]
        }
        return subject, render_to_string("supplychain/email/request.txt", context)

    return _send(supplier_recipients(first), render)


def send_reminder(reminder: Reminder, *, today: datetime.date, submitted: bool):
    request = reminder.request
    url = absolute(reverse("supplychain:inbox_request", args=[request.supplier.organisation_id, request.pk]))
    days_left = (request.due_date - today).days

    def render():
        context = {
            "request": request,
            "customer_name": mailtext.name(request.requester.name),
            "url": url,
            "days_left": days_left,
            "days_late": -days_left,
            "overdue": days_left < 0,
            "submitted": submitted,
            "manual": reminder.kind == Reminder.MANUAL,
        }
        if days_left < 0:
            subject = _("Keiretsu: overdue self-assessment request from %(customer)s")
        else:
            subject = _("Keiretsu: reminder of the self-assessment request from %(customer)s")
        subject %= {"customer": context["customer_name"]}
        return subject, render_to_string("supplychain/email/reminder.txt", context)

    return _send(supplier_recipients(request), render)


def send_declined(request: AssessmentRequest):
    url = absolute(reverse("supplychain:supplier_detail", args=[request.requester_id, request.supplier_id]))
    supplier = request.supplier.organisation or request.supplier

    def render():
        context = {
            "request": request,
            "supplier_name": mailtext.name(supplier.name),
            "reason": mailtext.quotation(request.decline_reason),
            "url": url,
        }
        subject = _("Keiretsu: %(supplier)s declined your request for a self-assessment") % {
            "supplier": context["supplier_name"]
        }
        return subject, render_to_string("supplychain/email/declined.txt", context)

    return _send(customer_recipients(request), render)


def send_shared(share: Share):
    request = share.request
    url = absolute(reverse("supplychain:result", args=[share.recipient_id, share.pk]))
    recipients = customer_recipients(request) if request and request.requester_id == share.recipient_id else []
    if not recipients:  # shared with a customer further up the chain: tell its owners
        recipients = [
            (m.user.email, settings.LANGUAGE_CODE)
            for m in share.recipient.memberships.filter(role="owner").select_related("user")
        ]

    def render():
        context = {"share": share, "supplier_name": mailtext.name(share.organisation.name), "url": url}
        subject = _("Keiretsu: %(supplier)s shared its self-assessment result with you") % {
            "supplier": context["supplier_name"]
        }
        return subject, render_to_string("supplychain/email/shared.txt", context)

    return _send(recipients, render)


def send_claim_detached(claim, verified):
    """To the owners of an unverified registration: another organisation was verified for the
    corporate number, so customers' entries and requests were taken off theirs."""
    url = absolute(reverse("accounts:organisation_settings", args=[claim.pk]))
    recipients = [
        (m.user.email, settings.LANGUAGE_CODE)
        for m in claim.memberships.filter(role="owner", user__is_active=True).select_related("user")
    ]

    def render():
        context = {
            "claim_name": mailtext.name(claim.name),
            "number": claim.corporate_number,
            "url": url,
        }
        subject = _("Keiretsu: your organisation is not verified for its corporate number")
        return subject, render_to_string("supplychain/email/claim_detached.txt", context)

    return _send(recipients, render)
