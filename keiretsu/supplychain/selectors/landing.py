"""The first screen after signing in: where each person's work is (docs/rules.md, "First screen").

One selector decides it, for every role:
0. someone without an organisation registers one (the instance administrator: the catalogue);
1. the organisation used last (remembered in the browser), if the person is still a member;
   else the first (by name) with open work: an assessment in progress or a customer's request
   waiting for an answer; else the first by name;
2. in that organisation: an industry body opens on its own home (rounds, submissions received,
   releases); an organisation with suppliers and no self-assessment of its own opens on its
   suppliers' status; everyone else on the dashboard of its self-assessments.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse

from keiretsu.accounts.models import Membership
from keiretsu.assessments.models import Assessment
from keiretsu.supplychain.models import AssessmentRequest, Supplier


@dataclass(frozen=True)
class FirstScreen:
    membership: Membership | None
    url: str


def first_screen(user, *, remembered_organisation_id=None) -> FirstScreen:
    """Where `user` lands; one query whatever the number of organisations."""
    organisation = OuterRef("organisation")
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .annotate(
            in_progress=Exists(Assessment.objects.filter(organisation=organisation, status=Assessment.Status.DRAFT)),
            waiting=Exists(
                AssessmentRequest.objects.filter(
                    supplier__organisation=organisation, is_current=True, status=AssessmentRequest.Status.PENDING
                )
            ),
            assesses=Exists(Assessment.objects.filter(organisation=organisation)),
            has_suppliers=Exists(Supplier.objects.filter(customer=organisation)),
        )
        .order_by("organisation__name", "pk")
    )
    if not memberships:
        # The instance administrator's work is the catalogue; anyone else registers a company.
        return FirstScreen(None, reverse("catalogue:list" if user.is_staff else "accounts:organisation_create"))
    chosen = (
        next((m for m in memberships if m.organisation_id == remembered_organisation_id), None)
        or next((m for m in memberships if m.in_progress or m.waiting), None)
        or memberships[0]
    )
    org_id = chosen.organisation_id
    if chosen.organisation.is_industry_body:
        url = reverse("benchmark:home", args=[org_id])
    elif chosen.has_suppliers and not chosen.assesses:
        url = reverse("supplychain:suppliers", args=[org_id])
    else:
        url = reverse("assessments:dashboard", args=[org_id])
    return FirstScreen(chosen, url)
