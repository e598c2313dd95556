"""Constant query counts on every page and API list (docs/architecture.md).

One walk over every organisation URL (the same walk as test_tenancy) and the API lists: each
page is read in a world with one object of each kind, then again after several more of every
kind were added (assessments and their answers, factories, members, invitations, tokens,
suppliers, requests both ways, shares both ways, reminders, benchmark submissions and
releases), and must take exactly the same number of queries.
"""

import datetime

import pytest
from keiretsu.catalogue.selectors import forget_structures
from django.core.cache import cache, caches
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import Organisation, Role, Scope
from keiretsu.api.services import api_token_create
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Assessment
from keiretsu.benchmark import services as benchmark_services
from keiretsu.benchmark.tests.conftest import (
    make_company,
    owner_membership,
    publish,
    recompute,
    send,
    submitted_assessment,
)
from keiretsu.conftest import add_member, client_for, make_organisation, make_user, membership_of
from keiretsu.improvement import services as improvement_services
from keiretsu.interchange import services as interchange_services
from keiretsu.interchange.checksheet_export import export_checksheet
from keiretsu.interchange.selectors import assessment_data
from keiretsu.interchange.tests import samples
from keiretsu.supplychain import services as supply_services
from keiretsu.supplychain.models import AssessmentRequest, Reminder, Supplier
from keiretsu.supplychain.tests.scenario import DUE, FY, TODAY, company, share
from keiretsu.supplychain.tests.scenario import submit as submit_priority

from .test_tenancy import fill, organisation_urls

pytestmark = pytest.mark.django_db

GLOBAL_LISTS = ["/catalogue/", "/api/v1/catalogue/editions/", "/api/v1/benchmark/releases/", "/accounts/tokens/"]
TODAY_REAL = timezone.localdate()


class World:
    """Alpha (alice owner) as a company, a customer, a supplier and an industry body."""

    def __init__(self, catalogue, alpha, alice, alpha_factory):
        self.alpha, self.alice, self.owner = alpha, alice, membership_of(alice, alpha)
        self.priority, self.factory_edition = catalogue["jama-priority-items"], catalogue["jama-factory"]
        self.meti = catalogue["meti-scs"]
        self.counter = 0
        # A factory assessment in progress.
        self.factory_assessment = self.assessment(alpha_factory, self.factory_edition, FY, answered=3)
        # An edition with levels (a target and a gap to it), two years back; an improvement action.
        meti_earlier = self.assessment(alpha.company_scope, self.meti, FY - 2, answered=3)
        self.action = self.plan_action(meti_earlier, 2)
        self.evidence = self.add_evidence(self.factory_assessment, 1)
        # The company's priority items: last year's submitted, this year's submitted (revision 1,
        # sent to Alpha's own benchmark round) and revised (revision 2, in progress).
        last_year = self.assessment(alpha.company_scope, self.priority, FY - 1, answered=8)
        self.submit(last_year)
        first = self.assessment(alpha.company_scope, self.priority, FY, answered=8)
        first = self.first = self.submit(first)
        self.assessment_ = assessment_services.assessment_revise(membership=self.owner, actor=alice, assessment=first)
        self.answer(self.assessment_, 2)
        # Alpha is an industry body with a round for the priority items: five companies and
        # Alpha itself sent theirs; the release is published.
        benchmark_services.industry_body_set(actor=None, organisation=alpha, is_body=True)
        alpha.refresh_from_db()
        self.owner = membership_of(alice, alpha)
        self.round = benchmark_services.round_open(
            membership=self.owner,
            actor=alice,
            fiscal_year=FY,
            editions=[self.priority],
            deadline=TODAY_REAL + datetime.timedelta(days=30),
        )
        self.submission = send(alpha, self.round, first)
        for _ in range(5):
            self.benchmark_company()
        self.release = publish(self.owner, recompute(self.owner, self.round, self.priority))
        # Customer side: a supplier on Keiretsu that shared its result; one still invited.
        self.supplier, self.share = self.supplier_that_shares()
        # An invited supplier whose number someone registered without being verified.
        self.claim = self.unverified_claim(self.invited_supplier())
        # A supplier list uploaded and waiting for its preview to be confirmed.
        self.supplier_import = supply_services.suppliers_import_prepare(
            membership=self.owner, actor=alice, data=self.supplier_csv(3)
        )
        # Supplier side: a customer's request, accepted, shared with it and passed on.
        self.request = self.customer_request()
        supply_services.requests_pass_on(
            membership=self.owner, actor=alice, parents=[self.request], suppliers=None, due_date=DUE, today=TODAY
        )
        # Members, an invitation, a token, a checksheet import waiting for confirmation.
        self.member()
        self.invitation, _ = account_services.member_invite(
            membership=self.owner, actor=alice, email="invited0@alpha.example", role=Role.VIEWER
        )
        self.token, _ = api_token_create(user=alice, name="token 0")
        self.first_item = self.priority.items.order_by("position").first()
        third = self.priority.items.order_by("position")[2].number
        filled = samples.fill_checksheet(export_checksheet(assessment_data(self.assessment_)), {third: ("○", "", "")})
        self.pending = interchange_services.checksheet_import_prepare(
            membership=self.owner, actor=alice, assessment=self.assessment_, data=filled, file_name="filled.xlsx"
        )

    def ids(self):
        return {
            "org_id": self.alpha.pk,
            "assessment_id": self.assessment_.pk,
            "item_id": self.first_item.pk,
            "item_number": self.first_item.number,
            "scope_id": self.factory_assessment.scope_id,
            "member_id": membership_of(self.alice, self.alpha).pk,
            "invitation_id": self.invitation.pk,
            "token_id": self.token.pk,
            "supplier_id": self.supplier.pk,
            "request_id": self.request.pk,
            "share_id": self.share.pk,
            "round_id": self.round.pk,
            "submission_id": self.submission.pk,
            "release_id": self.release.pk,
            "import_id": self.pending.pk,
            "action_id": self.action.pk,
            "evidence_id": self.evidence.pk,
            "organisation_id": self.claim.pk,
            "supplier_import_id": self.supplier_import.pk,
            "edition_id": self.assessment_.edition_id,
        }

    def next(self):
        self.counter += 1
        return self.counter

    def add_evidence(self, assessment, n):
        return improvement_services.evidence_add(
            membership=self.owner, actor=self.alice, upload=ContentFile(b"%PDF-1.4 proof", name=f"proof{n}.pdf"),
            assessment=assessment, item=assessment.edition.items.order_by("position")[n % 3],
        )

    def plan_action(self, assessment, items):
        return improvement_services.action_create(
            membership=self.owner, actor=self.alice, scope=assessment.scope, edition=assessment.edition,
            items=list(assessment.edition.items.order_by("-position")[:items]), title=f"Action {self.next()}",
            owner=self.alice, start_date=TODAY_REAL, due_date=TODAY_REAL + datetime.timedelta(days=self.counter),
        )

    def assessment(self, scope, edition, year, *, answered):
        assessment = assessment_services.assessment_create(
            membership=self.owner, actor=self.alice, scope=scope, edition=edition, fiscal_year=year
        )
        self.answer(assessment, answered)
        return assessment

    def answer(self, assessment, count):
        for item in assessment.edition.items.order_by("position")[:count]:
            assessment_services.answer_save(
                membership=self.owner, actor=self.alice, assessment=assessment, item=item, rating="○"
            )

    def submit(self, assessment):
        return assessment_services.assessment_submit(membership=self.owner, actor=self.alice, assessment=assessment)

    def benchmark_company(self):
        organisation = make_company(f"Benchmarked {self.next()}")
        send(organisation, self.round, submitted_assessment(organisation, self.priority, "○○○○×○○×", fiscal_year=FY))

    def supplier_that_shares(self):
        supplier_org, supplier_owner = company(f"Supplier {self.next()}", Organisation.Tier.TIER2)
        entry = supply_services.supplier_add(
            membership=self.owner,
            actor=self.alice,
            name=supplier_org.name,
            corporate_number=supplier_org.corporate_number,
            contact_email=f"s{self.counter}@supplier.example",
        )
        (request,) = supply_services.requests_send(
            membership=self.owner,
            actor=self.alice,
            suppliers=[entry],
            editions=[self.priority],
            fiscal_year=FY,
            due_date=DUE,
            today=TODAY,
        ).created
        supply_services.request_accept(
            membership=membership_of(supplier_owner, supplier_org), actor=supplier_owner, request=request
        )
        assessment = submit_priority(
            supplier_org, supplier_owner, self.priority, not_done=1 + self.counter % 3
        )  # weak links, all of them
        (shared,) = share(supplier_org, supplier_owner, self.alpha, self.priority, assessment, detail="full")
        Reminder.objects.create(request=request, kind=Reminder.MANUAL, created_by=self.alice)
        return entry, shared

    def invited_supplier(self):
        number = self.next()
        return supply_services.supplier_add(
            membership=self.owner,
            actor=self.alice,
            name=f"Invited {number}",
            corporate_number=_with_check_digit(700000000000 + number),
            contact_email=f"invited{number}@supplier.example",
        )

    def supplier_csv(self, rows):
        """New suppliers: one verified on Keiretsu, one registered without being verified, the rest unknown."""
        self.next()
        verified, _ = company(f"Listed {self.counter}")
        claim = self.unverified_claim(verified)  # another registration of the same number
        lines = ["company name,corporate number,email", f"{verified.name},{claim.corporate_number},v@listed.example"]
        for n in range(rows):
            lines.append(f"New {n},{_with_check_digit(810000000000 + n)},new{n}@new.example")
        return "\n".join(lines).encode()

    def unverified_claim(self, entry):
        self.next()
        number = self.counter
        owner = make_user(f"claim{number}@claims.example")
        return make_organisation(owner, f"Claim {number}", entry.corporate_number[1:], verified=False)

    def customer_request(self):
        customer, customer_owner = company(f"Customer {self.next()}", Organisation.Tier.OEM)
        entry = supply_services.supplier_add(
            membership=membership_of(customer_owner, customer),
            actor=customer_owner,
            name=self.alpha.name,
            corporate_number=self.alpha.corporate_number,
            contact_email="alice@alpha.example",
        )
        (request,) = supply_services.requests_send(
            membership=membership_of(customer_owner, customer),
            actor=customer_owner,
            suppliers=[entry],
            editions=[self.priority],
            fiscal_year=FY,
            due_date=DUE,
            today=TODAY,
        ).created
        request = supply_services.request_accept(membership=self.owner, actor=self.alice, request=request)
        first = Assessment.objects.get(organisation=self.alpha, edition=self.priority, fiscal_year=FY, revision=1)
        supply_services.share_create(
            membership=self.owner,
            actor=self.alice,
            request=request,
            assessment=first,
            detail="summary",
            recipients=[customer],
        )
        return request

    def member(self):
        add_member(self.alpha, make_user(f"member{self.next()}@alpha.example"), Role.VIEWER)

    def grow(self):
        """Several more objects of every kind, around the ones the URLs name too."""
        for n in range(2):
            factory = account_services.scope_create(
                membership=self.owner, actor=self.alice, kind=Scope.Kind.FACTORY, name=f"Factory {n}"
            )
            account_services.scope_create(
                membership=self.owner, actor=self.alice, kind=Scope.Kind.LINE, name="Line", parent=factory
            )
            self.assessment(factory, self.factory_edition, FY, answered=5)
            self.member()
            account_services.member_invite(
                membership=self.owner, actor=self.alice, email=f"more{n}@alpha.example", role=Role.ASSESSOR
            )
            api_token_create(user=self.alice, name=f"more {n}")
            self.supplier_that_shares()
            self.unverified_claim(self.invited_supplier())
            self.unverified_claim(self.supplier)  # a second claim of a linked supplier's number
            self.customer_request()
            self.benchmark_company()
            Reminder.objects.create(
                request=AssessmentRequest.objects.get(supplier=self.supplier),
                kind=Reminder.MANUAL,
                created_by=self.alice,
            )
        # The pending supplier file grows too (its preview reads its rows in constant queries).
        self.supplier_import.data = self.supplier_csv(12)
        self.supplier_import.save(update_fields=["data"])
        # Another edition, earlier years and revisions: more than the latest of each.
        meti = self.assessment(self.alpha.company_scope, self.meti, FY, answered=10)
        for n in range(3):
            self.plan_action(meti, n + 1)
            self.plan_action(self.factory_assessment, n + 2)
            self.add_evidence(self.factory_assessment, n + 2)
        for factory_assessment in Assessment.objects.filter(organisation=self.alpha, edition=self.factory_edition):
            earlier = self.assessment(factory_assessment.scope, self.factory_edition, FY - 1, answered=63)
            earlier = self.submit(earlier)
        assessment_services.assessment_revise(membership=self.owner, actor=self.alice, assessment=earlier)
        # Another industry body's open round with its published release, which Alpha sent to too.
        other_body = make_company("Other body")
        benchmark_services.industry_body_set(actor=None, organisation=other_body, is_body=True)
        other_owner = owner_membership(other_body)
        other_round = benchmark_services.round_open(
            membership=other_owner,
            actor=other_owner.user,
            fiscal_year=FY,
            editions=[self.priority, self.meti],
            deadline=TODAY_REAL + datetime.timedelta(days=60),
        )
        for _ in range(5):
            organisation = make_company(f"Benchmarked {self.next()}")
            send(
                organisation, other_round, submitted_assessment(organisation, self.priority, "○○○○○○○×", fiscal_year=FY)
            )
        send(self.alpha, other_round, self.first)
        publish(other_owner, recompute(other_owner, other_round, self.priority))
        assert meti.pk
        # The request the URLs name is passed on to the new suppliers too; the supplier the URLs
        # name is asked for another edition.
        supply_services.requests_pass_on(
            membership=self.owner, actor=self.alice, parents=[self.request], suppliers=None, due_date=DUE, today=TODAY
        )
        supply_services.requests_send(
            membership=self.owner,
            actor=self.alice,
            suppliers=[self.supplier],
            editions=[self.meti],
            fiscal_year=FY,
            due_date=DUE,
            today=TODAY,
        )
        self.answer(self.assessment_, 8)  # every item of the assessment the URLs name
        self.answer(self.factory_assessment, 20)
        recompute(self.owner, self.round, self.priority)  # a draft beside the published release
        assert Supplier.objects.filter(customer=self.alpha).count() == 6


def _with_check_digit(base12):
    from keiretsu.lib.corporate_number import with_check_digit

    return with_check_digit(f"{base12:012d}")


def query_counts(client, urls):
    counts = {}
    for url in urls:
        for each in caches.all():  # catalogue structures are kept per process: each page is measured cold
            each.clear()
        forget_structures()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code == 405:  # a POST-only URL: nothing is read on GET
            continue
        assert response.status_code == 200, f"{url} -> {response.status_code}"
        counts[url] = len(queries)
    return counts


def test_every_page_and_api_list_takes_the_same_queries_for_one_or_several_of_everything(
    catalogue, alpha, alice, alpha_factory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        world = World(catalogue, alpha, alice, alpha_factory)
    ids = world.ids()
    # The preview of an organisation's own checksheet import shows one uploaded file (one edition),
    # not a list that grows; its id is of another table than the walk's import_id.
    not_lists = {"interchange:organisation_edition_import_preview"}
    urls = [fill(route, ids, alpha.pk) for name, route in organisation_urls() if name not in not_lists] + GLOBAL_LISTS
    client = client_for(alice)
    client.get(f"/o/{alpha.pk}/")  # the first page of an organisation remembers it in the session
    one = query_counts(client, urls)
    with django_capture_on_commit_callbacks(execute=True):
        world.grow()
    several = query_counts(client, urls)
    assert len(one) > 45
    grew = {url: (one[url], several[url]) for url in one if several.get(url) != one[url]}
    assert grew == {}, "queries grew with the data (one -> several): " + repr(grew)
