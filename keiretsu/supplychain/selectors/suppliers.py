"""The customer's side: its supplier list with each supplier's status, the requests it sent,
and the results shared with it."""

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Exists, F, FilteredRelation, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils.translation import gettext as _

from keiretsu.accounts.models import Membership, Organisation
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.catalogue.models import Edition

from ..models import AssessmentRequest, Reminder, Share, Supplier, SupplierImport, SupplierInvitation
from .status import status_expression, supplier_status


def suppliers_of(membership: Membership):
    return Supplier.objects.filter(customer=membership.organisation_id)


def supplier_import_for(membership: Membership, supplier_import_id) -> SupplierImport:
    """A supplier CSV file waiting for confirmation, if the member's organisation uploaded it."""
    try:
        return SupplierImport.objects.get(organisation=membership.organisation_id, pk=supplier_import_id)
    except SupplierImport.DoesNotExist:
        raise Http404 from None


def supplier_for(membership: Membership, supplier_id) -> Supplier:
    try:
        return suppliers_of(membership).select_related("organisation").get(pk=supplier_id)
    except Supplier.DoesNotExist:
        raise Http404 from None


@dataclass
class Focus:
    """Which fiscal year and edition a customer's views are about."""

    fiscal_year: int
    edition: Edition | None
    years: list[int]
    editions: list[Edition]


def focus_for(membership: Membership, query, *, current_year: int) -> Focus:
    """The year and edition asked for, else the current year and its most requested edition."""
    sent = AssessmentRequest.objects.filter(requester=membership.organisation_id, is_current=True)
    years = sorted(set(sent.values_list("fiscal_year", flat=True)) | {current_year}, reverse=True)
    try:
        fiscal_year = int(query.get("year", ""))
    except ValueError:
        fiscal_year = current_year
    if fiscal_year not in years:
        fiscal_year = current_year
    counts = dict(
        sent.filter(fiscal_year=fiscal_year).values_list("edition").annotate(n=Count("pk")).values_list("edition", "n")
    )
    editions = sorted(
        Edition.objects.filter(pk__in=counts).select_related("guideline"), key=lambda e: (-counts[e.pk], str(e))
    )
    chosen = next((e for e in editions if str(e.pk) == query.get("edition", "")), None)
    return Focus(fiscal_year, chosen or (editions[0] if editions else None), years, editions)


class Registration:
    """Whether the supplier is on Keiretsu, as its customer sees it (registration_expression)."""

    VERIFIED = "verified"  # linked to the organisation verified for the number
    LINKED_UNVERIFIED = "linked_unverified"  # linked by the customer, knowingly, to a claim
    UNVERIFIED = "unverified"  # someone registered the number; not verified, not linked
    NONE = "none"  # nobody registered the number yet

    @staticmethod
    def label(value) -> str:
        return str(
            {
                Registration.VERIFIED: _("registered, verified"),
                Registration.LINKED_UNVERIFIED: _("linked by you, not verified"),
                Registration.UNVERIFIED: _("registered, not verified"),
            }.get(value, _("invited, not on Keiretsu yet"))
        )


def registration_expression(prefix=""):
    """The Registration of a supplier list entry (rows reaching a Supplier through `prefix`)."""
    claims = Organisation.objects.filter(corporate_number=OuterRef(f"{prefix}corporate_number"))
    return Case(
        When(**{f"{prefix}organisation__verified_at__isnull": False}, then=Value(Registration.VERIFIED)),
        When(**{f"{prefix}organisation__isnull": False}, then=Value(Registration.LINKED_UNVERIFIED)),
        When(Exists(claims), then=Value(Registration.UNVERIFIED)),
        default=Value(Registration.NONE),
        output_field=CharField(),
    )


def registration_of(supplier: Supplier) -> str:
    """The Registration of one entry (at most one query)."""
    if supplier.organisation_id is not None:
        return Registration.VERIFIED if supplier.organisation.is_verified else Registration.LINKED_UNVERIFIED
    if Organisation.objects.filter(corporate_number=supplier.corporate_number).exists():
        return Registration.UNVERIFIED
    return Registration.NONE


def claims_for(membership: Membership, supplier: Supplier) -> list[Organisation]:
    """The unverified registrations of an unlinked entry's number the customer may link by hand."""
    if supplier.organisation_id is not None or supplier.customer_id != membership.organisation_id:
        return []
    return list(
        Organisation.objects.filter(corporate_number=supplier.corporate_number, verified_at=None)
        .exclude(pk=membership.organisation_id)
        .order_by("created_at", "pk")[:20]
    )


SORTS = {
    "criticality": ("criticality", "name"),
    "name": ("name",),
    "status": ("status", "criticality", "name"),
    "due": (F("due_date").asc(nulls_last=True), "criticality", "name"),
    "activity": (F("last_activity").desc(nulls_last=True), "name"),
}


def supplier_rows(
    membership: Membership, *, focus: Focus, today, status=None, criticality=None, search="", sort="criticality"
):
    """The customer's suppliers, each with its status on the focused edition and year, and the
    result it shared (if any): one query however many suppliers."""
    customer = membership.organisation_id
    edition, fiscal_year = focus.edition, focus.fiscal_year
    current = FilteredRelation(
        "requests",
        condition=Q(requests__is_current=True, requests__edition=edition, requests__fiscal_year=fiscal_year),
    )
    shares = Share.objects.filter(
        organisation=OuterRef("organisation"),
        recipient=customer,
        edition=edition,
        fiscal_year=fiscal_year,
        ended_at=None,
    ).order_by("-shared_at")
    assessments = Assessment.objects.filter(
        organisation=OuterRef("organisation"), edition=edition, fiscal_year=fiscal_year
    )
    rows = (
        suppliers_of(membership)
        .annotate(current=current)
        .annotate(
            request_id=F("current__id"),
            request_status=F("current__status"),
            due_date=F("current__due_date"),
            responded_at=F("current__responded_at"),
            status=status_expression(
                org=OuterRef("organisation"),
                requester=customer,
                request_status="current__status",
                due_date="current__due_date",
                linked="organisation",
                edition=edition,
                fiscal_year=fiscal_year,
                today=today,
                no_request=Q(current__id__isnull=True),
            ),
            share_id=Subquery(shares.values("pk")[:1]),
            share_detail=Subquery(shares.values("detail")[:1]),
            share_level=Subquery(shares.values("level_attained")[:1]),
            share_has_levels=Subquery(shares.values("has_levels")[:1]),
            share_rate=Subquery(shares.values("overall_rate")[:1]),
            share_weak=Subquery(shares.values("weak")[:1]),
            shared_at=Subquery(shares.values("shared_at")[:1]),
            assessment_activity=Subquery(assessments.order_by("-updated_at").values("updated_at")[:1]),
            registration=registration_expression(),
        )
        .annotate(
            # The supplier's last activity is read only once it accepted the request (nothing
            # before consent); a decline is dated by its reply. Greatest() is NULL on SQLite
            # as soon as one argument is: give each a floor.
            last_activity=Case(
                When(
                    current__status=AssessmentRequest.Status.ACCEPTED,
                    then=Greatest(
                        Coalesce("responded_at", "current__created_at"),
                        Coalesce("assessment_activity", "current__created_at"),
                        Coalesce("shared_at", "current__created_at"),
                    ),
                ),
                When(current__status=AssessmentRequest.Status.DECLINED, then=F("responded_at")),
                default=None,
            ),
        )
    )
    if status:
        rows = rows.filter(status=status)
    if criticality:
        rows = rows.filter(criticality=criticality)
    if search:
        rows = rows.filter(
            Q(name__icontains=search) | Q(corporate_number__contains=search) | Q(contact_email__icontains=search)
        )
    return rows.order_by(*SORTS.get(sort, SORTS["criticality"]))


def supplier_requests(membership: Membership, supplier: Supplier, *, today):
    """Every request to one supplier (all editions and years), with its status."""
    return (
        AssessmentRequest.objects.filter(requester=membership.organisation_id, supplier=supplier)
        .select_related("edition__guideline", "created_by")
        .annotate(supplier_status=supplier_status("", today=today))
        .order_by("-fiscal_year", "-is_current", "edition__guideline__slug", "-created_at")
    )


def supplier_shares(membership: Membership, supplier: Supplier):
    """What this supplier shared with the customer, current and past (past ones: dates only)."""
    if supplier.organisation_id is None:
        return Share.objects.none()
    return (
        Share.objects.filter(recipient=membership.organisation_id, organisation=supplier.organisation_id)
        .select_related("edition__guideline", "scope__parent", "assessment")
        .order_by("-fiscal_year", "-shared_at")
    )


def supplier_invitations(supplier: Supplier):
    return SupplierInvitation.objects.filter(supplier=supplier).select_related("invited_by")


def request_reminders(membership: Membership, supplier: Supplier):
    return Reminder.objects.filter(
        request__requester=membership.organisation_id, request__supplier=supplier
    ).select_related("request__edition__guideline", "created_by")


def sent_request_for(membership: Membership, request_id) -> AssessmentRequest:
    try:
        return AssessmentRequest.objects.select_related("supplier", "edition__guideline").get(
            requester=membership.organisation_id, pk=request_id
        )
    except AssessmentRequest.DoesNotExist:
        raise Http404 from None


def share_received_for(membership: Membership, share_id) -> Share:
    """A share whose recipient is the acting organisation (active or not; the view shows only
    the dates of one that ended)."""
    try:
        return Share.objects.select_related(
            "organisation", "edition__guideline", "scope__parent", "scope__organisation", "assessment"
        ).get(recipient=membership.organisation_id, pk=share_id)
    except Share.DoesNotExist:
        raise Http404 from None


def shared_answers(share: Share) -> dict[int, Answer]:
    """Every answer of the shared (frozen) revision; only for an active share at full detail."""
    if not share.is_active or share.detail != Share.Detail.FULL:
        return {}
    return {a.item_id: a for a in Answer.objects.filter(assessment=share.assessment_id)}
