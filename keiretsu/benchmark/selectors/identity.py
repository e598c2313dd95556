"""What an industry body reads to verify organisations for their corporate numbers.

Only an industry body (its members) reads this: the registrations of a corporate number or a
name, with whether each is verified and how many registrations claim the same number. Nothing
of an organisation's assessments, requests or members is read here.
"""

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from keiretsu.accounts.models import Membership, Organisation
from keiretsu.lib import corporate_number


def _require_body(membership: Membership):
    if not membership.organisation.is_industry_body:
        raise Http404


def registrations(membership: Membership, *, search: str = ""):
    """Registrations matching a corporate number (exact) or a name; without a search, the
    latest unverified ones. At most 50, each with the number of claims of its number."""
    _require_body(membership)
    same_number = (
        Organisation.objects.filter(corporate_number=OuterRef("corporate_number"))
        .order_by()
        .values("corporate_number")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = Organisation.objects.annotate(claims=Coalesce(Subquery(same_number), 1))
    search = search.strip()
    if search:
        number = corporate_number.normalise(search)
        rows = rows.filter(Q(corporate_number=number) | Q(name__icontains=search))
        return rows.order_by("corporate_number", F("verified_at").asc(nulls_last=True), "-created_at", "pk")[:50]
    return rows.filter(verified_at=None).order_by("-created_at", "-pk")[:50]


def registration_for(membership: Membership, organisation_id) -> Organisation:
    _require_body(membership)
    try:
        return Organisation.objects.get(pk=organisation_id)
    except Organisation.DoesNotExist:
        raise Http404 from None
