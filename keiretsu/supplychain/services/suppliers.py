"""A customer's supplier list: add (matched or invited), import a CSV, change, remove."""

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
from ..models import Criticality, Supplier, SupplyChainEvent
from .common import require_answerer
from .errors import Conflict, SupplyChainError
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


def suppliers_import(*, membership: Membership, actor: User, data: bytes) -> ImportResult:
    """Import a CSV supplier list: every row is checked first; nothing is written unless all are valid."""
    require_answerer(membership)
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
