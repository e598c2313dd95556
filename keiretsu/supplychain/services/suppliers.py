"""A customer's supplier list: add (matched or invited), import a CSV, change, remove."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership, Organisation, User, normalise_email
from keiretsu.lib import corporate_number as corporate_numbers
from keiretsu.lib.refusals import require_own

from .. import supplier_csv
from ..models import Criticality, Supplier, SupplierImport, SupplyChainEvent
from .common import require_answerer
from .errors import Conflict, MailLimitReached, SupplyChainError
from .identity import verified_holder
from .invitations import invitation_create

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
    existing = verified_holder(fields["corporate_number"])  # an unverified claim is never linked by itself
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
        invitation_create(supplier=supplier, actor=actor)
    return supplier


def supplier_add(*, membership: Membership, actor: User, **fields) -> Supplier:
    """Add a supplier to the list. A company verified for the corporate number is linked at
    once; any other is invited by e-mail (an unverified registration is only shown)."""
    require_answerer(membership)
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


@dataclass
class PreviewRow:
    row: supplier_csv.SupplierRow
    verified: Organisation | None  # linked at once
    claims: int  # unverified registrations of the number (shown, never linked by themselves)

    @property
    def invited(self) -> bool:
        return self.verified is None


@dataclass
class ImportPreview:
    pending: SupplierImport
    encoding: str
    rows: list[PreviewRow]
    remaining: int  # e-mails to other companies the organisation may still send today
    may_send: bool  # the organisation may send e-mail to other companies at all

    @property
    def invitations(self) -> int:
        return sum(1 for r in self.rows if r.invited)

    @property
    def linked(self) -> int:
        return len(self.rows) - self.invitations

    @property
    def within_limit(self) -> bool:
        return self.invitations == 0 or (self.may_send and self.invitations <= self.remaining)


def _parse_whole(membership: Membership, data: bytes):
    customer = membership.organisation
    existing = set(Supplier.objects.filter(customer=customer).values_list("corporate_number", flat=True))
    parsed = supplier_csv.parse(data, existing_numbers=existing, own_number=customer.corporate_number)
    if parsed.problems:
        raise SupplyChainError(
            _("Nothing was imported: correct these problems in the file and upload it again."), problems=parsed.problems
        )
    return parsed


def suppliers_import_prepare(*, membership: Membership, actor: User, data: bytes, file_name: str = "") -> SupplierImport:
    """Check a CSV supplier list whole and keep it for the preview: nothing is added and no
    invitation is sent until the uploader confirms (suppliers_import_confirm)."""
    require_answerer(membership)
    _parse_whole(membership, data)
    with transaction.atomic():
        # Files left unconfirmed for a day are forgotten.
        SupplierImport.objects.filter(
            organisation=membership.organisation, created_at__lt=timezone.now() - datetime.timedelta(days=1)
        ).delete()
        return SupplierImport.objects.create(
            organisation=membership.organisation, created_by=actor, file_name=file_name[:255], data=data
        )


def suppliers_import_preview(membership: Membership, pending: SupplierImport) -> ImportPreview:
    """What confirming would do: the suppliers to add, which are linked (verified for their
    number) and which invited by e-mail, against today's limit of e-mails."""
    from .. import outgoing

    require_own(membership, pending.organisation_id)
    parsed = _parse_whole(membership, bytes(pending.data))
    numbers = [row.corporate_number for row in parsed.rows]
    registered = Organisation.objects.filter(corporate_number__in=numbers)
    verified = {o.corporate_number: o for o in registered if o.is_verified}
    claims = {}
    for organisation in registered:
        if not organisation.is_verified:
            claims[organisation.corporate_number] = claims.get(organisation.corporate_number, 0) + 1
    rows = [PreviewRow(row, verified.get(row.corporate_number), claims.get(row.corporate_number, 0)) for row in parsed.rows]
    customer = membership.organisation
    return ImportPreview(
        pending, parsed.encoding, rows, outgoing.remaining(customer), outgoing.may_mail_outside(customer)
    )


def suppliers_import_confirm(*, membership: Membership, actor: User, pending: SupplierImport) -> ImportResult:
    """Import a previewed CSV supplier list: checked whole again, written in one transaction
    with its audit rows and invitations, or not at all."""
    from .. import outgoing

    require_answerer(membership)
    preview = suppliers_import_preview(membership, pending)
    if preview.invitations:
        outgoing.check_sender(membership.organisation, actor)
        if not preview.within_limit:
            raise MailLimitReached(
                _(
                    "Nothing was imported: the file would send %(count)s invitations, and %(name)s may send "
                    "%(left)s more e-mails to other companies today (the limit is %(limit)s a day). Split the file, "
                    "or import the rest tomorrow."
                )
                % {
                    "count": preview.invitations,
                    "name": membership.organisation.name,
                    "left": preview.remaining,
                    "limit": outgoing.limit(),
                }
            )
    result = ImportResult(encoding=preview.encoding)
    try:
        with transaction.atomic():
            for row in preview.rows:
                fields = {key: getattr(row.row, key) for key in SUPPLIER_FIELDS}
                result.suppliers.append(
                    _create_supplier(
                        customer=membership.organisation,
                        actor=actor,
                        fields=fields,
                        event=SupplyChainEvent.SUPPLIERS_IMPORTED,
                    )
                )
            SupplierImport.objects.filter(pk=pending.pk).delete()
    except ValidationError as exc:
        # Someone added one of these suppliers meanwhile: nothing of this file was kept.
        raise SupplyChainError(
            _("Nothing was imported: %(problem)s Upload the file again.") % {"problem": " ".join(exc.messages)}
        ) from None
    return result


def suppliers_import_discard(*, membership: Membership, pending: SupplierImport):
    require_answerer(membership)
    require_own(membership, pending.organisation_id)
    SupplierImport.objects.filter(pk=pending.pk).delete()


def suppliers_import(*, membership: Membership, actor: User, data: bytes) -> ImportResult:
    """Check and import at once (the command line and tests; the page previews first)."""
    pending = suppliers_import_prepare(membership=membership, actor=actor, data=data)
    return suppliers_import_confirm(membership=membership, actor=actor, pending=pending)


def supplier_update(*, membership: Membership, actor: User, supplier: Supplier, **fields) -> Supplier:
    """Change a supplier's details. The corporate number is its identity: it can be corrected
    only while the supplier is neither linked nor asked for anything."""
    require_answerer(membership)
    require_own(membership, supplier.customer_id)
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        # The fields not given keep their stored values (not those of the object handed in,
        # which may be older): every field is checked before anything is written.
        cleaned = _clean_supplier_fields({**_supplier_state(supplier), "criticality": supplier.criticality, **fields})
        before = _supplier_state(supplier)
        number_changed = cleaned["corporate_number"] != supplier.corporate_number
        if number_changed:
            if supplier.number_is_locked():
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
            existing = verified_holder(supplier.corporate_number)
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
            invitation_create(supplier=supplier, actor=actor)
    return supplier


def supplier_remove(*, membership: Membership, actor: User, supplier: Supplier):
    require_answerer(membership)
    require_own(membership, supplier.customer_id)
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
