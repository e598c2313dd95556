"""Scenarios of the supply-chain tests: companies on several tiers, and helpers to request,
answer, submit and share the way their staff would."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from keiretsu.accounts.models import Organisation
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.conftest import make_organisation, make_user, membership_of
from keiretsu.supplychain import selectors, services
from keiretsu.supplychain.models import AssessmentRequest, Criticality, Supplier

FY = 2026
TODAY = datetime.date(2026, 6, 1)
DUE = datetime.date(2026, 9, 30)


_counter = {"n": 0}


def company(name, tier=Organisation.Tier.TIER1, email=None):
    """A company on Keiretsu with its owner (returned as organisation, owner)."""
    _counter["n"] += 1
    n = _counter["n"]
    owner = make_user(email or f"owner{n}@{name.lower().replace(' ', '-')}.example", f"Owner of {name}")
    organisation = make_organisation(owner, name, f"{500000000000 + n:012d}", tier=tier)
    return organisation, owner


def add_supplier(customer, customer_owner, supplier_org, criticality=Criticality.MEDIUM, email=None):
    return services.supplier_add(
        membership=membership_of(customer_owner, customer),
        actor=customer_owner,
        name=supplier_org.name,
        corporate_number=supplier_org.corporate_number,
        contact_email=email or f"contact@{supplier_org.pk}.example",
        criticality=criticality,
    )


def send_requests(customer, owner, suppliers, editions, *, due=DUE, pass_on=True, today=TODAY, year=FY):
    return services.requests_send(
        membership=membership_of(owner, customer),
        actor=owner,
        suppliers=list(suppliers),
        editions=list(editions),
        fiscal_year=year,
        due_date=due,
        pass_on=pass_on,
        today=today,
    ).created


def inbox_request(org, customer, edition, year=FY):
    return AssessmentRequest.objects.get(
        supplier__organisation=org, requester=customer, edition=edition, fiscal_year=year, is_current=True
    )


def accept(org, owner, customer, edition, year=FY):
    req = inbox_request(org, customer, edition, year)
    return services.request_accept(membership=membership_of(owner, org), actor=owner, request=req)


def answer_all(assessment, *, not_done=0):
    """Rate every item achieved except `not_done`: a number of items (the first ones, in
    document order) or a list of item numbers."""
    scale = assessment.edition.rating_scale
    done = min(scale.achieved)
    undone = next(
        s
        for s in scale.codes
        if s not in scale.achieved and s not in scale.not_applicable and not scale.needs_reason(s)
    )
    items = list(assessment.edition.items.order_by("position"))
    Answer.objects.filter(assessment=assessment).delete()
    Answer.objects.bulk_create(
        [
            Answer(assessment=assessment, item=item, rating=undone if _left_undone(not_done, i, item) else done)
            for i, item in enumerate(items)
        ]
    )


def _left_undone(not_done, index, item):
    return index < not_done if isinstance(not_done, int) else item.number in not_done


def submit(org, owner, edition, *, not_done=0, year=FY) -> Assessment:
    membership = membership_of(owner, org)
    assessment = Assessment.objects.filter(organisation=org, edition=edition, fiscal_year=year, status="draft").first()
    if assessment is None:
        assessment = assessment_services.assessment_create(
            membership=membership, actor=owner, scope=org.company_scope, edition=edition, fiscal_year=year
        )
    answer_all(assessment, not_done=not_done)
    return assessment_services.assessment_submit(membership=membership, actor=owner, assessment=assessment)


def share(org, owner, customer, edition, assessment, *, detail="summary", recipients=None, year=FY):
    req = inbox_request(org, customer, edition, year)
    return services.share_create(
        membership=membership_of(owner, org),
        actor=owner,
        request=req,
        assessment=assessment,
        detail=detail,
        recipients=recipients or [customer],
    )


def pass_on(org, owner, customer, edition, *, due=DUE, suppliers=None, today=TODAY, year=FY):
    parent = inbox_request(org, customer, edition, year)
    return services.requests_pass_on(
        membership=membership_of(owner, org),
        actor=owner,
        parents=[parent],
        suppliers=suppliers,
        due_date=due,
        today=today,
    )


@dataclass
class Tree:
    """OEM → three Tier-1 → nine Tier-2 (three under each Tier-1)."""

    edition: object
    oem: Organisation
    oem_owner: object
    tier1: list = field(default_factory=list)  # (organisation, owner)
    tier2: list = field(default_factory=list)  # (organisation, owner, tier-1 index)
    assessments: dict = field(default_factory=dict)  # organisation pk -> submitted Assessment


def build_tree(edition, *, not_done=None, share_tier2_with_oem=(0,)) -> Tree:
    """Everyone accepts and passes on; every Tier-2 submits and shares with its Tier-1; the
    Tier-2s at the indexes of `share_tier2_with_oem` also share directly with the OEM.
    `not_done`: organisation name -> how many items it leaves not done."""
    not_done = not_done or {}
    oem, oem_owner = company("OEM Motors", Organisation.Tier.OEM)
    tree = Tree(edition, oem, oem_owner)
    criticalities = [Criticality.HIGH, Criticality.MEDIUM, Criticality.LOW]
    for i in range(3):
        t1, t1_owner = company(f"Tier1 {'ABC'[i]}")
        tree.tier1.append((t1, t1_owner))
        add_supplier(oem, oem_owner, t1, criticality=criticalities[i])
    send_requests(oem, oem_owner, Supplier.objects.filter(customer=oem), [edition])
    for i, (t1, t1_owner) in enumerate(tree.tier1):
        accept(t1, t1_owner, oem, edition)
        for j in range(3):
            t2, t2_owner = company(f"Tier2 {'ABC'[i]}{j + 1}", Organisation.Tier.TIER2)
            tree.tier2.append((t2, t2_owner, i))
            add_supplier(t1, t1_owner, t2)
        pass_on(t1, t1_owner, oem, edition)
    for index, (t2, t2_owner, i) in enumerate(tree.tier2):
        t1 = tree.tier1[i][0]
        accept(t2, t2_owner, t1, edition)
        assessment = submit(t2, t2_owner, edition, not_done=not_done.get(t2.name, 0))
        tree.assessments[t2.pk] = assessment
        recipients = [t1, oem] if index in share_tier2_with_oem else [t1]
        share(t2, t2_owner, t1, edition, assessment, recipients=recipients)
    return tree


def tree_of(org, owner, edition, today=TODAY, year=FY):
    membership = membership_of(owner, org)
    focus = selectors.Focus(year, edition, [year], [edition])
    return selectors.supply_tree(membership, focus=focus, today=today)


def now_local(day: datetime.date, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
