"""The supplier's side: the requests addressed to it, whom it may share with, its shares."""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from keiretsu.accounts.models import Membership
from keiretsu.assessments.models import Assessment

from ..models import AssessmentRequest, Share
from .status import supplier_status


def inbox(membership: Membership, *, today, fiscal_year=None, state=""):
    """Requests addressed to the acting organisation, from all its customers."""
    requests = (
        AssessmentRequest.objects.filter(supplier__organisation=membership.organisation_id)
        .filter(Q(is_current=True) | Q(status=AssessmentRequest.Status.WITHDRAWN))
        .select_related("requester", "edition__guideline", "supplier", "parent__requester")
        .annotate(
            supplier_status=supplier_status("", today=today),
            passed_on=Coalesce(
                Subquery(
                    AssessmentRequest.objects.filter(parent=OuterRef("pk"), is_current=True)
                    .order_by()
                    .values("parent")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
    )
    if fiscal_year:
        requests = requests.filter(fiscal_year=fiscal_year)
    if state == "open":
        requests = requests.filter(is_current=True, status__in=AssessmentRequest.OPEN)
    elif state in AssessmentRequest.Status.values:
        requests = requests.filter(status=state)
    return requests.order_by("-is_current", "due_date", "requester__name", "pk")


def inbox_request_for(membership: Membership, request_id) -> AssessmentRequest:
    try:
        return (
            AssessmentRequest.objects.filter(supplier__organisation=membership.organisation_id)
            .select_related("requester", "edition__guideline", "supplier", "parent__requester", "responded_by")
            .get(pk=request_id)
        )
    except AssessmentRequest.DoesNotExist:
        raise Http404 from None


def upstream_requests(request: AssessmentRequest):
    """The request and every request it was passed on from, nearest first."""
    return (
        AssessmentRequest.objects.filter(descendant_paths__descendant=request)
        .select_related("requester")
        .order_by("descendant_paths__depth")
    )


def share_recipients(request: AssessmentRequest) -> list:
    """Who the supplier may share with through this request: the customer that asked, and the
    customers above it in the chain (each only once, nearest first)."""
    recipients, seen = [], {request.supplier.organisation_id}
    for upstream in upstream_requests(request):
        if upstream.requester_id not in seen:
            seen.add(upstream.requester_id)
            recipients.append(upstream.requester)
    return recipients


def shareable_assessments(membership: Membership, request: AssessmentRequest) -> list[Assessment]:
    """The latest submitted revision of each scope, for the request's edition and year."""
    submitted = (
        Assessment.objects.filter(
            organisation=membership.organisation_id,
            edition=request.edition_id,
            fiscal_year=request.fiscal_year,
            status=Assessment.Status.SUBMITTED,
        )
        .select_related("scope__parent", "scope__organisation", "edition__guideline")
        .order_by("scope_id", "-revision")
    )
    latest = {}
    for assessment in submitted:
        latest.setdefault(assessment.scope_id, assessment)
    return list(latest.values())


def assessments_for_request(membership: Membership, request: AssessmentRequest):
    """The supplier's own assessments answering a request (every scope and revision)."""
    return (
        Assessment.objects.filter(
            organisation=membership.organisation_id, edition=request.edition_id, fiscal_year=request.fiscal_year
        )
        .select_related("scope__parent", "scope__organisation")
        .order_by("scope_id", "-revision")
    )


def shares_given(membership: Membership):
    return Share.objects.filter(organisation=membership.organisation_id).select_related(
        "recipient", "edition__guideline", "scope__parent", "scope__organisation", "assessment", "shared_by", "ended_by"
    )


def share_given_for(membership: Membership, share_id) -> Share:
    try:
        return shares_given(membership).get(pk=share_id)
    except Share.DoesNotExist:
        raise Http404 from None


def passed_on_requests(request: AssessmentRequest):
    """The current requests the supplier passed this one on with, by supplier name."""
    return request.children.filter(is_current=True).select_related("supplier").order_by("supplier__name")


def requests_to_pass_on(membership: Membership, ids) -> list[AssessmentRequest]:
    """Accepted, current requests of the inbox that ask to be passed on (among `ids`)."""
    return list(
        AssessmentRequest.objects.filter(
            AssessmentRequest.PASSABLE, supplier__organisation=membership.organisation_id, pk__in=ids
        ).select_related("requester", "edition__guideline")
    )
