"""Writes of the supply chain. Each one checks the acting member's right, validates everything
before writing, writes in one transaction with its audit rows, and sends e-mail (through the
task queue) only after the transaction commits."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import Membership, Organisation, Role, User, normalise_email
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Assessment
from keiretsu.assessments.scoring import ScoreSummary, percent
from keiretsu.catalogue.models import Edition
from keiretsu.lib import corporate_number as corporate_numbers
from keiretsu.lib.tokens import hash_token, new_token

from . import supplier_csv
from .models import (
    AssessmentRequest,
    Criticality,
    Reminder,
    RequestPath,
    Share,
    Supplier,
    SupplierInvitation,
    SupplyChainEvent,
)


class SupplyChainError(Exception):
    """A refused change, with a message for a person and the HTTP status that fits it."""

    status = 400

    def __init__(self, message, *, problems=()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


class Conflict(SupplyChainError):
    status = 409


class InvitationProblem(SupplyChainError):
    status = 410


def _require_answerer(membership: Membership):
    if not membership.can_answer:
        raise PermissionDenied(_("Viewers can look but not change anything here."))


def _require_owner(membership: Membership):
    if not membership.can_submit:
        raise PermissionDenied(_("Only an owner of the organisation can share or withdraw results."))


def _enqueue(task, *args):
    """Enqueue a background task once the current transaction has committed."""
    transaction.on_commit(lambda: task.enqueue(*args))


# --- Suppliers ---------------------------------------------------------------------------------

SUPPLIER_FIELDS = ("name", "corporate_number", "contact_email", "criticality", "note", "language")


def _clean_supplier_fields(fields: dict) -> dict:
    """The same checks as a CSV row, for one supplier given field by field (form or API)."""
    cleaned = {
        "name": (fields.get("name") or "").strip(),
        "corporate_number": corporate_numbers.normalise(fields.get("corporate_number") or ""),
        "contact_email": normalise_email(fields.get("contact_email") or ""),
        "criticality": fields.get("criticality") or Criticality.MEDIUM,
        "note": (fields.get("note") or "").strip(),
        "language": fields.get("language") or "ja",
    }
    errors = {}
    if not cleaned["name"]:
        errors["name"] = _("The company name is missing.")
    number = cleaned["corporate_number"]
    if len(number) != 13 or not number.isdigit():
        errors["corporate_number"] = _("A corporate number has 13 digits.")
    elif not corporate_numbers.is_valid(number):
        errors["corporate_number"] = _("The check digit is wrong: please check the number.")
    try:
        validate_email(cleaned["contact_email"])
    except ValidationError:
        errors["contact_email"] = _("This is not a valid e-mail address.")
    try:
        cleaned["criticality"] = Criticality(int(cleaned["criticality"]))
    except ValueError:
        errors["criticality"] = _("Choose high, medium or low.")
    if cleaned["language"] not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose a language.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _supplier_state(supplier: Supplier) -> dict:
    return {
        "name": supplier.name,
        "corporate_number": supplier.corporate_number,
        "contact_email": supplier.contact_email,
        "criticality": Criticality(supplier.criticality).name.lower(),
        "note": supplier.note,
        "language": supplier.language,
    }


def _create_supplier(
    *, customer: Organisation, actor: User, fields: dict, event=SupplyChainEvent.SUPPLIER_ADDED
) -> Supplier:
    """Inside a transaction: add one (already checked) supplier, matched or invited."""
    if fields["corporate_number"] == customer.corporate_number:
        raise ValidationError({"corporate_number": _("This is your own organisation's corporate number.")})
    existing = Organisation.objects.filter(corporate_number=fields["corporate_number"]).first()
    supplier = Supplier(customer=customer, created_by=actor, **fields)
    if existing is not None:
        supplier.organisation, supplier.linked_at = existing, timezone.now()
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError:
        raise ValidationError({"corporate_number": _("This supplier is already on your list.")}) from None
    audit.record(
        actor=actor,
        organisation=customer,
        event=event,
        target=supplier,
        after={**_supplier_state(supplier), "on_keiretsu": existing is not None},
    )
    if existing is None:
        _invitation_create(supplier=supplier, actor=actor)
    return supplier


def supplier_add(*, membership: Membership, actor: User, **fields) -> Supplier:
    """Add a supplier to the list. A company already on Keiretsu (same corporate number) is
    linked at once; any other is invited by e-mail."""
    _require_answerer(membership)
    cleaned = _clean_supplier_fields(fields)
    with transaction.atomic():
        if Supplier.objects.filter(
            customer=membership.organisation_id, corporate_number=cleaned["corporate_number"]
        ).exists():
            raise ValidationError({"corporate_number": _("This supplier is already on your list.")})
        return _create_supplier(customer=membership.organisation, actor=actor, fields=cleaned)


@dataclass
class ImportResult:
    suppliers: list[Supplier] = field(default_factory=list)
    encoding: str = ""

    @property
    def linked(self):
        return sum(1 for s in self.suppliers if s.organisation_id)

    @property
    def invited(self):
        return len(self.suppliers) - self.linked


def suppliers_import(*, membership: Membership, actor: User, data: bytes) -> ImportResult:
    """Import a CSV supplier list: every row is checked first; nothing is written unless all are valid."""
    _require_answerer(membership)
    customer = membership.organisation
    existing = set(Supplier.objects.filter(customer=customer).values_list("corporate_number", flat=True))
    parsed = supplier_csv.parse(data, existing_numbers=existing, own_number=customer.corporate_number)
    if parsed.problems:
        raise SupplyChainError(
            _("Nothing was imported: correct these problems in the file and upload it again."), problems=parsed.problems
        )
    result = ImportResult(encoding=parsed.encoding)
    try:
        with transaction.atomic():
            for row in parsed.rows:
                fields = {key: getattr(row, key) for key in SUPPLIER_FIELDS}
                result.suppliers.append(
                    _create_supplier(
                        customer=customer, actor=actor, fields=fields, event=SupplyChainEvent.SUPPLIERS_IMPORTED
                    )
                )
    except ValidationError as exc:
        # Someone added one of these suppliers meanwhile: nothing of this file was kept.
        raise SupplyChainError(
            _("Nothing was imported: %(problem)s Upload the file again.") % {"problem": " ".join(exc.messages)}
        ) from None
    return result


def supplier_update(*, membership: Membership, actor: User, supplier: Supplier, **fields) -> Supplier:
    """Change a supplier's details. The corporate number is its identity: it can be corrected
    only while the supplier is neither linked nor asked for anything."""
    _require_answerer(membership)
    if supplier.customer_id != membership.organisation_id:
        raise PermissionDenied
    cleaned = _clean_supplier_fields({**_supplier_state(supplier), "criticality": supplier.criticality, **fields})
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        before = _supplier_state(supplier)
        number_changed = cleaned["corporate_number"] != supplier.corporate_number
        if number_changed:
            if supplier.organisation_id or supplier.requests.exists():
                raise ValidationError(
                    {
                        "corporate_number": _(
                            "The corporate number cannot change once the supplier is linked or has requests."
                        )
                    }
                )
            if cleaned["corporate_number"] == membership.organisation.corporate_number:
                raise ValidationError({"corporate_number": _("This is your own organisation's corporate number.")})
            if Supplier.objects.filter(
                customer=supplier.customer_id, corporate_number=cleaned["corporate_number"]
            ).exists():
                raise ValidationError({"corporate_number": _("This supplier is already on your list.")})
        email_changed = cleaned["contact_email"] != supplier.contact_email
        for key, value in cleaned.items():
            setattr(supplier, key, value)
        after = _supplier_state(supplier)
        if after == before:
            return supplier
        if number_changed:
            existing = Organisation.objects.filter(corporate_number=supplier.corporate_number).first()
            if existing is not None:
                supplier.organisation, supplier.linked_at = existing, timezone.now()
        supplier.save()
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.SUPPLIER_UPDATED,
            target=supplier,
            before=before,
            after=after,
        )
        if (number_changed or email_changed) and not supplier.organisation_id:
            # An open invitation is bound to the old address and number: replace it.
            _invitation_create(supplier=supplier, actor=actor)
    return supplier


def supplier_remove(*, membership: Membership, actor: User, supplier: Supplier):
    _require_answerer(membership)
    if supplier.customer_id != membership.organisation_id:
        raise PermissionDenied
    with transaction.atomic():
        if supplier.requests.exists():
            raise Conflict(_("This supplier has requests: it stays on the list so that their history is kept."))
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.SUPPLIER_REMOVED,
            target=supplier,
            before=_supplier_state(supplier),
        )
        supplier.delete()


# --- Supplier invitations ----------------------------------------------------------------------


def _invitation_create(*, supplier: Supplier, actor: User) -> SupplierInvitation:
    """Inside a transaction: a new invitation replaces any open one; the e-mail (and its
    token) is made by the background worker after commit."""
    now = timezone.now()
    SupplierInvitation.objects.filter(supplier=supplier, accepted_at=None, revoked_at=None).update(revoked_at=now)
    invitation = SupplierInvitation.objects.create(
        supplier=supplier,
        email=supplier.contact_email,
        corporate_number=supplier.corporate_number,
        invited_by=actor,
        expires_at=now + datetime.timedelta(days=settings.SUPPLIER_INVITATION_VALID_DAYS),
    )
    audit.record(
        actor=actor,
        organisation=supplier.customer,
        event=SupplyChainEvent.SUPPLIER_INVITED,
        target=supplier,
        after={"email": invitation.email, "expires_at": invitation.expires_at.isoformat()},
    )
    from . import tasks

    _enqueue(tasks.send_supplier_invitation, invitation.pk)
    return invitation


def supplier_invite(*, membership: Membership, actor: User, supplier: Supplier) -> SupplierInvitation:
    """Send the invitation again (a new link; the previous one stops working)."""
    _require_answerer(membership)
    if supplier.customer_id != membership.organisation_id:
        raise PermissionDenied
    if supplier.organisation_id:
        raise Conflict(_("This supplier is already on Keiretsu: no invitation is needed."))
    with transaction.atomic():
        return _invitation_create(supplier=supplier, actor=actor)


def invitation_issue_token(invitation_id) -> tuple[SupplierInvitation, str] | None:
    """Make the secret of an invitation's link when its e-mail is sent (only its hash is kept)."""
    with transaction.atomic():
        invitation = (
            SupplierInvitation.objects.select_for_update(of=("self",))
            .select_related("supplier__customer", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_open or invitation.supplier.organisation_id:
            return None
        token, token_hash = new_token()
        invitation.token_hash, invitation.sent_at = token_hash, timezone.now()
        invitation.save(update_fields=["token_hash", "sent_at"])
    return invitation, token


def invitation_by_token(token: str) -> SupplierInvitation:
    invitation = (
        SupplierInvitation.objects.select_related("supplier__customer", "supplier__organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationProblem(_("This invitation link is not valid. Ask your customer for a new invitation."))
    if invitation.accepted_at is not None:
        raise InvitationProblem(_("This invitation has already been used."))
    if invitation.revoked_at is not None:
        raise InvitationProblem(_("This invitation was replaced by a newer one. Use the link of the latest e-mail."))
    if invitation.expires_at <= timezone.now():
        raise InvitationProblem(_("This invitation has expired. Ask your customer to send it again."))
    return invitation


def invitation_check_user(invitation: SupplierInvitation, user: User):
    if normalise_email(user.email) != invitation.email:
        raise Conflict(
            _("This invitation was sent to another e-mail address. Sign in as %(email)s to accept it.")
            % {"email": invitation.email}
        )


def invitation_accept(*, user: User, token: str, registration: dict | None = None) -> Organisation:
    """Accept a supplier invitation: link the invited company (registering it first if it is
    not on Keiretsu yet, with the invitation's corporate number) to the customer's list."""
    with transaction.atomic():
        invitation = invitation_by_token(token)
        invitation = SupplierInvitation.objects.select_for_update().select_related("supplier").get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvitationProblem(_("This invitation has already been used."))
        invitation_check_user(invitation, user)
        organisation = Organisation.objects.filter(corporate_number=invitation.corporate_number).first()
        if organisation is not None:
            membership = Membership.objects.filter(user=user, organisation=organisation).first()
            if membership is None or not membership.can_manage:
                raise Conflict(
                    _(
                        "%(name)s is already on Keiretsu. Ask one of its owners to accept this invitation, or to make you an owner."
                    )
                    % {"name": organisation.name}
                )
        else:
            if registration is None:
                raise SupplyChainError(_("Register your company to accept the invitation."))
            organisation = account_services.organisation_create(
                actor=user, **{**registration, "corporate_number": invitation.corporate_number}
            )
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        supplier_link_organisation(organisation=organisation, actor=user)
    return organisation


def supplier_link_organisation(*, organisation: Organisation, actor: User | None) -> list[Supplier]:
    """Link every customer's list entry with this corporate number to the organisation: its
    requests then appear in the organisation's inbox."""
    with transaction.atomic():
        suppliers = list(
            Supplier.objects.select_for_update()
            .filter(corporate_number=organisation.corporate_number, organisation=None)
            .exclude(customer=organisation)
            .select_related("customer")
        )
        now = timezone.now()
        for supplier in suppliers:
            supplier.organisation, supplier.linked_at = organisation, now
            supplier.save(update_fields=["organisation", "linked_at", "updated_at"])
            audit.record(
                actor=actor,
                organisation=supplier.customer,
                event=SupplyChainEvent.SUPPLIER_LINKED,
                target=supplier,
                after={"organisation": organisation.name, "corporate_number": organisation.corporate_number},
            )
    return suppliers


def link_new_organisation(organisation_id):
    """After an organisation registers: link the customers' entries that name it."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return []
    owner = Membership.objects.filter(organisation=organisation, role=Role.OWNER).select_related("user").first()
    return supplier_link_organisation(organisation=organisation, actor=owner.user if owner else None)


# --- Requests ----------------------------------------------------------------------------------


@dataclass
class Skipped:
    supplier: Supplier
    edition: Edition
    reason: str


@dataclass
class SendResult:
    created: list[AssessmentRequest] = field(default_factory=list)
    linked: list[AssessmentRequest] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _check_due_date(due_date: datetime.date, today: datetime.date):
    if due_date < today:
        raise SupplyChainError(_("The due date is in the past."))


def _request_state(request: AssessmentRequest) -> dict:
    return {
        "supplier": request.supplier.name,
        "corporate_number": request.supplier.corporate_number,
        "edition": f"{request.edition.guideline.slug} {request.edition.code}",
        "fiscal_year": request.fiscal_year,
        "due_date": request.due_date.isoformat(),
        "pass_on": request.pass_on,
        "parent": request.parent_id,
        "status": request.status,
    }


def _send_request(
    *, requester, supplier, edition, fiscal_year, due_date, message, pass_on, actor, language, parent=None,
    replaces=None,
):
    """One new request, linked into the request tree and audited. `replaces` is the supplier's
    declined current request for the same edition and year, which this one supersedes."""
    if replaces is not None:
        replaces.is_current = False
        replaces.save(update_fields=["is_current"])
    request = AssessmentRequest(
        requester=requester,
        supplier=supplier,
        edition=edition,
        fiscal_year=fiscal_year,
        due_date=due_date,
        message=message,
        pass_on=pass_on,
        parent=parent,
        created_by=actor,
        requester_language=language,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise Conflict(
            _("%(supplier)s has just been asked for %(edition)s for this year by someone else: reload and try again.")
            % {"supplier": supplier.name, "edition": edition}
        ) from None
    RequestPath.objects.create(ancestor=request, descendant=request, depth=0)
    if parent is not None:
        RequestPath.objects.bulk_create(
            [
                RequestPath(ancestor_id=p.ancestor_id, descendant=request, depth=p.depth + 1)
                for p in parent.ancestor_paths.all()
            ]
        )
    audit.record(
        actor=actor,
        organisation=requester,
        event=SupplyChainEvent.REQUEST_SENT,
        target=request,
        target_label=f"{supplier.name} · {edition}",
        after=_request_state(request),
    )
    return request


def _current_requests(suppliers, editions, fiscal_year) -> dict:
    return {
        (r.supplier_id, r.edition_id): r
        for r in AssessmentRequest.objects.select_for_update().filter(
            supplier__in=suppliers, edition__in=editions, fiscal_year=fiscal_year, is_current=True
        )
    }


def requests_send(
    *,
    membership: Membership,
    actor: User,
    suppliers: list[Supplier],
    editions: list[Edition],
    fiscal_year: int,
    due_date: datetime.date,
    message: str = "",
    pass_on: bool = True,
    today: datetime.date,
    skip_requested: bool = False,
    language: str = "ja",
) -> SendResult:
    """Ask suppliers for their self-assessment of each edition for one fiscal year.

    A supplier already asked (request open for the same edition and year) is refused, or
    skipped when `skip_requested` (sending to "all suppliers"). A declined request is replaced.
    """
    _require_answerer(membership)
    customer = membership.organisation
    if not suppliers:
        raise SupplyChainError(_("Choose at least one supplier."))
    if not editions:
        raise SupplyChainError(_("Choose at least one guideline edition."))
    _check_due_date(due_date, today)
    for supplier in suppliers:
        if supplier.customer_id != customer.pk:
            raise PermissionDenied
        if supplier.organisation_id == customer.pk or supplier.corporate_number == customer.corporate_number:
            raise SupplyChainError(_("You cannot send a request to your own organisation."))
    result = SendResult()
    with transaction.atomic():
        current = _current_requests(suppliers, editions, fiscal_year)
        duplicates = [
            (s, e) for s in suppliers for e in editions if (r := current.get((s.pk, e.pk))) is not None and r.is_open
        ]
        if duplicates and not skip_requested:
            raise Conflict(
                _("Already asked for this year (the request is still open): %(list)s")
                % {"list": "; ".join(f"{s.name} · {e}" for s, e in duplicates)},
                problems=[f"{s.name} · {e}" for s, e in duplicates],
            )
        for supplier in suppliers:
            for edition in editions:
                existing = current.get((supplier.pk, edition.pk))
                if existing is not None and existing.is_open:
                    result.skipped.append(Skipped(supplier, edition, _("already asked")))
                    continue
                request = _send_request(
                    requester=customer,
                    supplier=supplier,
                    edition=edition,
                    fiscal_year=fiscal_year,
                    due_date=due_date,
                    message=message.strip(),
                    pass_on=pass_on,
                    actor=actor,
                    language=language,
                    replaces=existing,  # None, or a declined request
                )
                result.created.append(request)
        _notify_suppliers(result.created)
    return result


def _notify_suppliers(requests):
    from . import tasks

    by_supplier = {}
    for request in requests:
        if request.supplier.organisation_id:  # others learn of it through their invitation
            by_supplier.setdefault(request.supplier_id, []).append(request.pk)
    for ids in by_supplier.values():
        _enqueue(tasks.send_request_notice, ids)


def request_withdraw(*, membership: Membership, actor: User, request: AssessmentRequest) -> AssessmentRequest:
    """The customer withdraws a request. It leaves the customer's tree, and so does everything
    passed on below it; the supplier keeps its own requests to its suppliers."""
    _require_answerer(membership)
    with transaction.atomic():
        request = _sent_request(membership, request)
        if not request.is_current or request.status == AssessmentRequest.Status.WITHDRAWN:
            raise Conflict(_("This request has already been withdrawn."))
        before = _request_state(request)
        request.status, request.is_current, request.withdrawn_at = (
            AssessmentRequest.Status.WITHDRAWN,
            False,
            timezone.now(),
        )
        request.save(update_fields=["status", "is_current", "withdrawn_at"])
        _detach(request)
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.REQUEST_WITHDRAWN,
            target=request,
            target_label=f"{request.supplier.name} · {request.edition}",
            before=before,
            after={"status": request.status},
        )
    return request


def _detach(request: AssessmentRequest):
    """Cut the closure rows joining the request's ancestors to its subtree."""
    subtree = RequestPath.objects.filter(ancestor=request).values("descendant")
    above = RequestPath.objects.filter(descendant=request, depth__gt=0).values("ancestor")
    RequestPath.objects.filter(descendant__in=subtree, ancestor__in=above).delete()


def _sent_request(membership: Membership, request: AssessmentRequest) -> AssessmentRequest:
    """The request, locked, if the member's organisation sent it."""
    locked = (
        AssessmentRequest.objects.select_for_update()
        .select_related("supplier", "edition__guideline")
        .filter(pk=request.pk, requester=membership.organisation_id)
        .first()
    )
    if locked is None:
        raise PermissionDenied
    return locked


def _inbox_request(membership: Membership, request: AssessmentRequest) -> AssessmentRequest:
    """The request, locked, if the member's organisation received it."""
    locked = (
        AssessmentRequest.objects.select_for_update()
        .select_related("supplier", "requester", "edition__guideline")
        .filter(pk=request.pk, supplier__organisation=membership.organisation_id)
        .first()
    )
    if locked is None:
        raise PermissionDenied
    return locked


def request_accept(
    *, membership: Membership, actor: User, request: AssessmentRequest, language: str = "ja"
) -> AssessmentRequest:
    """Accept a request. It is answered by the organisation's own assessment of that edition and
    year (one assessment answers every customer); a company-wide one is started if there is none."""
    _require_answerer(membership)
    with transaction.atomic():
        request = _inbox_request(membership, request)
        if not request.is_current or request.status == AssessmentRequest.Status.WITHDRAWN:
            raise Conflict(_("Your customer has withdrawn this request."))
        if request.status == AssessmentRequest.Status.ACCEPTED:
            return request
        before = request.status
        request.status = AssessmentRequest.Status.ACCEPTED
        request.decline_reason = ""
        request.responded_at, request.responded_by, request.responder_language = timezone.now(), actor, language
        request.save(update_fields=["status", "decline_reason", "responded_at", "responded_by", "responder_language"])
        started = _start_company_assessment(membership, actor, request)
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.REQUEST_ACCEPTED,
            target=request,
            target_label=f"{request.requester.name} · {request.edition}",
            before={"status": before},
            after={"status": request.status, "assessment_started": started.pk if started else None},
        )
    return request


def _start_company_assessment(membership, actor, request) -> Assessment | None:
    edition = request.edition
    if edition.assessed_per != Edition.AssessedPer.COMPANY:
        return None  # assessed per factory or line: the supplier starts each one
    scope = membership.organisation.company_scope
    if Assessment.objects.filter(scope=scope, edition=edition, fiscal_year=request.fiscal_year).exists():
        return None
    try:
        return assessment_services.assessment_create(
            membership=membership,
            actor=actor,
            scope=scope,
            edition=edition,
            fiscal_year=request.fiscal_year,
            carry_forward=True,
        )
    except assessment_services.AlreadyExists:
        return None


def request_decline(
    *, membership: Membership, actor: User, request: AssessmentRequest, reason: str, language: str = "ja"
):
    _require_answerer(membership)
    reason = (reason or "").strip()
    if not reason:
        raise SupplyChainError(_("Give a reason: your customer will read it."))
    with transaction.atomic():
        request = _inbox_request(membership, request)
        if not request.is_current or request.status == AssessmentRequest.Status.WITHDRAWN:
            raise Conflict(_("Your customer has withdrawn this request."))
        if request.status == AssessmentRequest.Status.DECLINED:
            raise Conflict(_("This request has already been declined."))
        before = request.status
        request.status, request.decline_reason = AssessmentRequest.Status.DECLINED, reason[:2000]
        request.responded_at, request.responded_by, request.responder_language = timezone.now(), actor, language
        request.save(update_fields=["status", "decline_reason", "responded_at", "responded_by", "responder_language"])
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.REQUEST_DECLINED,
            target=request,
            target_label=f"{request.requester.name} · {request.edition}",
            before={"status": before},
            after={"status": request.status, "reason": request.decline_reason},
        )
        from . import tasks

        _enqueue(tasks.send_customer_notice, "declined", request.pk)
    return request


def requests_pass_on(
    *,
    membership: Membership,
    actor: User,
    parents: list[AssessmentRequest],
    suppliers: list[Supplier] | None,
    due_date: datetime.date,
    message: str = "",
    pass_on: bool = True,
    today: datetime.date,
    language: str = "ja",
) -> SendResult:
    """The cascade: pass accepted requests on to one's own suppliers in one action.

    Each child request has the parent's edition and year, a due date no later than the
    parent's, and points at its parent, so the customer's tree grows by one tier.
    `suppliers=None` means every supplier on the list. A supplier already asked for the same
    edition and year by an independent request has that request joined to the tree.
    """
    _require_answerer(membership)
    me = membership.organisation
    if not parents:
        raise SupplyChainError(_("Choose at least one accepted request that asks to be passed on."))
    _check_due_date(due_date, today)
    for parent in parents:
        if parent.supplier.organisation_id != me.pk:
            raise PermissionDenied
        if not parent.is_current or parent.status != AssessmentRequest.Status.ACCEPTED:
            raise Conflict(_("Accept a request before passing it on."))
        if not parent.pass_on:
            raise SupplyChainError(_("This request does not ask to be passed on."))
        if due_date > parent.due_date:
            raise SupplyChainError(
                _("The due date cannot be later than your customer's due date (%(date)s).")
                % {"date": parent.due_date.isoformat()}
            )
    if suppliers is None:
        suppliers = list(Supplier.objects.filter(customer=me).select_related("organisation"))
    if not suppliers:
        raise SupplyChainError(_("Your supplier list is empty: add your suppliers first."))
    for supplier in suppliers:
        if supplier.customer_id != me.pk:
            raise PermissionDenied

    result = SendResult()
    with transaction.atomic():
        for parent in parents:
            parent = (
                AssessmentRequest.objects.select_for_update().select_related("edition__guideline").get(pk=parent.pk)
            )
            upstream_numbers = set(
                AssessmentRequest.objects.filter(descendant_paths__descendant=parent).values_list(
                    "requester__corporate_number", flat=True
                )
            )
            current = _current_requests(suppliers, [parent.edition], parent.fiscal_year)
            created_here = []
            for supplier in suppliers:
                existing = current.get((supplier.pk, parent.edition_id))
                if supplier.corporate_number in upstream_numbers:
                    result.skipped.append(Skipped(supplier, parent.edition, _("is a customer higher up in this chain")))
                    continue
                if existing is not None and existing.is_open:
                    reason = _join_tree(existing, parent)
                    if reason:
                        result.skipped.append(Skipped(supplier, parent.edition, reason))
                    else:
                        result.linked.append(existing)
                    continue
                request = _send_request(
                    requester=me,
                    supplier=supplier,
                    edition=parent.edition,
                    fiscal_year=parent.fiscal_year,
                    due_date=due_date,
                    message=message.strip(),
                    pass_on=pass_on,
                    actor=actor,
                    language=language,
                    parent=parent,
                    replaces=existing,  # None, or a declined request
                )
                created_here.append(request)
            audit.record(
                actor=actor,
                organisation=me,
                event=SupplyChainEvent.REQUEST_PASSED_ON,
                target=parent,
                target_label=f"{parent.requester.name} · {parent.edition}",
                after={
                    "created": len(created_here),
                    "due_date": due_date.isoformat(),
                    "requests": [r.pk for r in created_here],
                },
            )
            result.created += created_here
        _notify_suppliers(result.created)
    return result


def _join_tree(existing: AssessmentRequest, parent: AssessmentRequest) -> str:
    """Put an independent open request under `parent`; the reason it cannot be, or ""."""
    if existing.parent_id == parent.pk:
        return _("already passed on")
    if existing.parent_id is not None:
        return _("already asked as part of another customer's request")
    if existing.due_date > parent.due_date:
        return _("already asked with a later due date")
    if RequestPath.objects.filter(ancestor=existing, descendant=parent).exists():
        return _("already asked, higher up in this chain")
    existing.parent = parent
    existing.save(update_fields=["parent"])
    above = list(RequestPath.objects.filter(descendant=parent))
    below = list(RequestPath.objects.filter(ancestor=existing))
    RequestPath.objects.bulk_create(
        [
            RequestPath(ancestor_id=a.ancestor_id, descendant_id=b.descendant_id, depth=a.depth + b.depth + 1)
            for a in above
            for b in below
        ]
    )
    return ""


# --- Sharing -----------------------------------------------------------------------------------


def snapshot_figures(snapshot: dict) -> dict:
    """What the tree and the weakest links need from a frozen ScoreSummary."""
    scores = ScoreSummary.from_dict(snapshot)
    first = scores.levels[0] if scores.levels else None
    first_rate = scores.by_level.get(first) if first else None
    first_missing = (first_rate.applicable - first_rate.achieved) if first_rate else 0
    priority_missing = scores.priority.applicable - scores.priority.achieved
    weak = (first is not None and scores.level_attained is None) or priority_missing > 0
    return {
        "overall_rate": percent(scores.overall.achievement),
        "level_attained": scores.level_attained or "",
        "has_levels": first is not None,
        "first_level_missing": first_missing,
        "priority_missing": priority_missing,
        "weak": weak,
        "gap": max(first_missing, priority_missing) if weak else 0,
    }


def _share_state(share: Share) -> dict:
    return {
        "recipient": share.recipient.name,
        "assessment": share.assessment_id,
        "scope": share.scope.display_name,
        "edition": f"{share.edition.guideline.slug} {share.edition.code}",
        "fiscal_year": share.fiscal_year,
        "revision": share.assessment.revision,
        "detail": share.detail,
    }


def share_create(
    *,
    membership: Membership,
    actor: User,
    request: AssessmentRequest,
    assessment: Assessment,
    detail: str,
    recipients: list[Organisation],
) -> list[Share]:
    """Share a submitted (frozen) assessment with customers in the request's chain.

    Sharing another revision or another detail with a customer replaces the current share;
    sharing the same again changes nothing.
    """
    from . import selectors, tasks

    _require_owner(membership)
    me = membership.organisation
    if detail not in Share.Detail.values:
        raise SupplyChainError(_("Choose how much to share: the summary or every answer."))
    if assessment.organisation_id != me.pk:
        raise PermissionDenied
    if not assessment.is_frozen or not assessment.score_snapshot:
        raise Conflict(_("Submit the assessment first: only a submitted assessment can be shared."))
    if assessment.edition_id != request.edition_id or assessment.fiscal_year != request.fiscal_year:
        raise SupplyChainError(_("This assessment is not for the edition and year that was asked for."))
    if not recipients:
        raise SupplyChainError(_("Choose at least one customer to share with."))
    with transaction.atomic():
        request = _inbox_request(membership, request)
        if not request.is_current or request.status != AssessmentRequest.Status.ACCEPTED:
            raise Conflict(_("Accept the request before sharing your result."))
        allowed = {org.pk: org for org in selectors.share_recipients(request)}
        if any(r.pk not in allowed for r in recipients):
            raise PermissionDenied(_("You can share only with the customers in this request's chain."))
        latest = (
            Assessment.objects.filter(
                scope=assessment.scope_id, edition=assessment.edition_id, fiscal_year=assessment.fiscal_year
            )
            .order_by("-revision")
            .values_list("pk", "status")
            .first()
        )
        if latest[0] != assessment.pk and latest[1] == Assessment.Status.SUBMITTED:
            raise Conflict(_("A newer submitted revision exists: share that one."))
        figures = snapshot_figures(assessment.score_snapshot)
        now = timezone.now()
        created = []
        for recipient in recipients:
            current = (
                Share.objects.select_for_update()
                .filter(
                    organisation=me,
                    recipient=recipient,
                    scope=assessment.scope_id,
                    edition=assessment.edition_id,
                    fiscal_year=assessment.fiscal_year,
                    ended_at=None,
                )
                .first()
            )
            if current is not None and current.assessment_id == assessment.pk and current.detail == detail:
                continue
            if current is not None:
                current.ended_at, current.ended_by, current.ended = now, actor, Share.Ended.SUPERSEDED
                current.save(update_fields=["ended_at", "ended_by", "ended"])
            share = Share.objects.create(
                organisation=me,
                recipient=recipient,
                assessment=assessment,
                scope=assessment.scope,
                edition=assessment.edition,
                fiscal_year=assessment.fiscal_year,
                request=request,
                detail=detail,
                shared_at=now,
                shared_by=actor,
                **figures,
            )
            state = _share_state(share)
            # The sharer's log keeps exactly what was shown, and when.
            audit.record(
                actor=actor,
                organisation=me,
                event=SupplyChainEvent.RESULT_SHARED,
                target=share,
                target_label=f"{recipient.name} · {assessment}",
                before=_share_state(current) if current else None,
                after={**state, "scores": assessment.score_snapshot},
            )
            # The recipient's log says that it was shared (never the scores themselves).
            audit.record(
                actor=actor,
                organisation=recipient,
                event=SupplyChainEvent.RESULT_SHARED,
                target=share,
                target_label=f"{me.name} · {assessment.edition} · FY{assessment.fiscal_year}",
                after={"supplier": me.name, **{k: v for k, v in state.items() if k != "recipient"}},
            )
            _enqueue(tasks.send_customer_notice, "shared", share.pk)
            created.append(share)
    return created


def share_withdraw(*, membership: Membership, actor: User, share: Share) -> Share:
    """Withdraw consent: from now on the customer sees only that it was withdrawn, and when."""
    _require_owner(membership)
    with transaction.atomic():
        share = (
            Share.objects.select_for_update()
            .select_related("recipient", "scope", "edition__guideline", "assessment")
            .filter(pk=share.pk, organisation=membership.organisation_id)
            .first()
        )
        if share is None:
            raise PermissionDenied
        if not share.is_active:
            raise Conflict(_("This result is no longer shared."))
        share.ended_at, share.ended_by, share.ended = timezone.now(), actor, Share.Ended.WITHDRAWN
        share.save(update_fields=["ended_at", "ended_by", "ended"])
        state = _share_state(share)
        for organisation, label in (
            (membership.organisation, share.recipient.name),
            (share.recipient, membership.organisation.name),
        ):
            audit.record(
                actor=actor,
                organisation=organisation,
                event=SupplyChainEvent.SHARE_WITHDRAWN,
                target=share,
                target_label=f"{label} · {share.edition} · FY{share.fiscal_year}",
                before={**state, "shared_at": share.shared_at.isoformat()},
                after={"withdrawn_at": share.ended_at.isoformat()},
            )
    return share


# --- Reminders ---------------------------------------------------------------------------------


def reminder_nudge(
    *, membership: Membership, actor: User, request: AssessmentRequest, today: datetime.date
) -> Reminder:
    """The customer reminds a supplier by hand (at most once a day per request)."""
    from . import selectors, tasks

    _require_answerer(membership)
    with transaction.atomic():
        request = _sent_request(membership, request)
        if not request.is_open:
            raise Conflict(_("Only an open request can be reminded of."))
        if not request.supplier.organisation_id:
            raise Conflict(_("This supplier is not on Keiretsu yet: send the invitation again instead."))
        status = (
            AssessmentRequest.objects.filter(pk=request.pk)
            .annotate(s=selectors._request_status("", today=today))
            .values_list("s", flat=True)
            .get()
        )
        if status == selectors.Status.SHARED:
            raise Conflict(_("This supplier has already shared its result with you."))
        start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        if request.reminders.filter(kind=Reminder.MANUAL, created_at__gte=start).exists():
            raise Conflict(_("A reminder was already sent today. Try again tomorrow."))
        reminder = Reminder.objects.create(request=request, kind=Reminder.MANUAL, created_by=actor)
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=SupplyChainEvent.REMINDER_SENT,
            target=request,
            target_label=f"{request.supplier.name} · {request.edition}",
            after={"kind": Reminder.MANUAL},
        )
        _enqueue(tasks.deliver_reminder, reminder.pk)
    return reminder
