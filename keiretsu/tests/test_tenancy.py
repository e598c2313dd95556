"""Every URL that takes an id answers 404 to another organisation, and sends the anonymous to sign in.

The URL patterns are walked from the resolver, so a new view cannot be forgotten: a pattern
whose parameters this test cannot fill makes it fail.
"""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from keiretsu.accounts import services as account_services
from keiretsu.api.services import api_token_create
from keiretsu.assessments import services
from keiretsu.catalogue.models import Item
from django.utils import timezone

from keiretsu.benchmark.models import Release, Round, Submission
from keiretsu.conftest import client_for, membership_of
from keiretsu.interchange.models import ChecksheetImport
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.supplychain.models import AssessmentRequest, Share, Supplier, SupplierImport

pytestmark = pytest.mark.django_db

# Views that are not about one organisation's data (the instance administrator's edition import
# is for staff only, tested in keiretsu/interchange/tests).
PUBLIC_OR_GLOBAL = {"accounts:invitation_accept", "catalogue:detail", "supplychain:invitation",
                    "interchange:edition_import_preview"}
# A person's own second factors (allauth looks them up among the signed-in person's own: another
# person's key answers 404, tested in keiretsu/accounts/tests/test_mfa.py).
PERSONAL = {"mfa_remove_webauthn", "mfa_edit_webauthn", "accounts:security_key_remove"}
# An industry body's open round is offered to every company: any organisation may open the page
# that submits to it (what it shows is the body's call for submissions, not anyone's data).
OPEN_TO_EVERY_ORGANISATION = {"benchmark:submit"}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name, prefix + str(entry.pattern)


def organisation_urls():
    for name, route in walk(get_resolver().url_patterns):
        if "<int:" in route and name not in PUBLIC_OR_GLOBAL | PERSONAL and not route.startswith("admin/"):
            yield name, route


@pytest.fixture
def alpha_objects(catalogue, alpha, alice, bob, alpha_factory):
    membership = membership_of(alice, alpha)
    assessment = services.assessment_create(membership=membership, actor=alice, scope=alpha_factory,
                                            edition=catalogue["jama-factory"], fiscal_year=2026)
    invitation, _ = account_services.member_invite(membership=membership, actor=alice, email="x@alpha.example",
                                                   role="viewer")
    return {
        "org_id": alpha.pk,
        "assessment_id": assessment.pk,
        "item_id": Item.objects.get(edition=assessment.edition, number="1").pk,
        "item_number": "1",
        "edition_id": assessment.edition_id,  # catalogue:instance_wide is the administrator's alone
        "scope_id": alpha_factory.pk,
        "member_id": membership_of(bob, alpha).pk,
        "invitation_id": invitation.pk,
        "token_id": api_token_create(user=bob, name="bob's")[0].pk,
        "organisation_id": alpha.pk,  # an organisation an industry body verifies
        "supplier_import_id": SupplierImport.objects.create(organisation=alpha, created_by=alice, data=b"x").pk,
        **supply_chain_objects(alpha, assessment),
        **benchmark_objects(alpha, assessment),
        "action_id": action_objects(alpha, assessment),
        "evidence_id": evidence_objects(alpha, alice, assessment),
        "import_id": ChecksheetImport.objects.create(organisation=alpha, assessment=assessment, created_by=alice,
                                                     file_name="alpha.xlsx", file_sha256="0" * 64, plan={}).pk,
    }


def action_objects(alpha, assessment):
    """An improvement action of Alpha's factory assessment."""
    from keiretsu.improvement.models import Action, Evidence

    action = Action.objects.create(organisation=alpha, scope=assessment.scope, edition=assessment.edition,
                                   title="Alpha's action", start_date=datetime.date(2026, 4, 1),
                                   due_date=datetime.date(2026, 12, 31))
    action.items.set([Item.objects.get(edition=assessment.edition, number="1")])
    return action.pk


def evidence_objects(alpha, alice, assessment):
    """An evidence file on an answer of Alpha's factory assessment."""
    from django.core.files.base import ContentFile

    from keiretsu.improvement import services as improvement_services

    return improvement_services.evidence_add(
        membership=membership_of(alice, alpha), actor=alice, upload=ContentFile(b"%PDF-1.4 alpha", name="alpha.pdf"),
        assessment=assessment, item=Item.objects.get(edition=assessment.edition, number="1"),
    ).pk


def benchmark_objects(alpha, assessment):
    """Alpha as an industry body: a round, a submission it received, a draft release.

    (Published releases are for everybody to read; a draft is its body's alone.)
    """
    alpha.is_industry_body = True
    alpha.save(update_fields=["is_industry_body"])
    benchmark_round = Round.objects.create(body=alpha, fiscal_year=2026, deadline=datetime.date(2026, 12, 31))
    submission = Submission.objects.create(
        round=benchmark_round, organisation=alpha, assessment=assessment, edition=assessment.edition,
        tier=alpha.tier, size_band=alpha.size_band, business_type=alpha.business_type, consent_text="-",
        submitted_at=timezone.now(),
    )
    release = Release.objects.create(round=benchmark_round, edition=assessment.edition, version=1, min_group_size=5,
                                     statistics={}, computed_at=timezone.now())
    return {"round_id": benchmark_round.pk, "submission_id": submission.pk, "release_id": release.pk}


def supply_chain_objects(alpha, assessment):
    """A supplier on Alpha's list, a request Alpha sent, and a result shared with Alpha."""
    supplier = Supplier.objects.create(customer=alpha, name="Gamma", corporate_number=with_check_digit("300000000003"),
                                       contact_email="gamma@example.jp")
    request = AssessmentRequest.objects.create(requester=alpha, supplier=supplier, edition=assessment.edition,
                                               fiscal_year=2026, due_date=datetime.date(2026, 12, 31))
    share = Share.objects.create(organisation=alpha, recipient=alpha, assessment=assessment, scope=assessment.scope,
                                 edition=assessment.edition, fiscal_year=2026, detail=Share.Detail.FULL)
    return {"supplier_id": supplier.pk, "request_id": request.pk, "share_id": share.pk}


def fill(route, values, org_id):
    def replace(match):
        name = match.group(2)
        if name == "org_id":
            return str(org_id)
        if name not in values:
            pytest.fail(f"{route}: add a value for <{name}> to alpha_objects")
        return str(values[name])

    return "/" + re.sub(r"<(int|str):(\w+)>", replace, route)


def test_the_walk_finds_the_organisation_urls():
    names = {name for name, _ in organisation_urls()}
    assert {"assessments:detail", "assessments:answer", "accounts:members", "api:assessment"} <= names


def alpha_state(org_id):
    """Everything of Alpha's a request could change (the walk posts to every URL)."""
    from keiretsu.accounts.models import AuditEvent, Membership, Scope
    from keiretsu.assessments.models import Answer, Assessment
    from keiretsu.improvement.models import Action, Evidence
    from keiretsu.supplychain.models import AssessmentRequest, Share, Supplier

    return (
        AuditEvent.objects.count(),
        list(Membership.objects.filter(organisation=org_id).order_by("pk").values_list("pk", "role")),
        list(Scope.objects.filter(organisation=org_id).order_by("pk").values_list("pk", "name")),
        list(Assessment.objects.order_by("pk").values_list("pk", "status", "revision")),
        list(Answer.objects.order_by("pk").values_list("pk", "rating", "reason", "comment")),
        list(Supplier.objects.order_by("pk").values_list("pk", "name", "corporate_number", "contact_email")),
        list(AssessmentRequest.objects.order_by("pk").values_list("pk", "status", "is_current")),
        list(Share.objects.order_by("pk").values_list("pk", "ended_at")),
        list(Action.objects.order_by("pk").values_list("pk", "status", "title", "due_date")),
        list(Evidence.objects.order_by("pk").values_list("pk", "deleted_at", "name")),
    )


def test_another_organisation_gets_404_everywhere(alpha_objects, beta, mallory):
    client = client_for(mallory)
    checked = 0
    before = alpha_state(alpha_objects["org_id"])
    for name, route in organisation_urls():
        # Alpha's URL as Mallory, and Alpha's object ids under Mallory's own organisation.
        for org_id in (alpha_objects["org_id"], beta.pk):
            if name in OPEN_TO_EVERY_ORGANISATION and org_id == beta.pk:
                continue
            url = fill(route, alpha_objects, org_id)
            if url == fill(route, {**alpha_objects}, beta.pk) and "org_id" in route and route.count("<") == 1:
                continue  # Mallory's own organisation page with no other id: hers to see
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                # 405: the method is refused before anything is looked up.
                assert response.status_code in (404, 405), f"{method.upper()} {url} ({name}) -> {response.status_code}"
                assert b"Alpha Parts" not in response.content
                checked += 1
    assert checked > 20
    assert alpha_state(alpha_objects["org_id"]) == before  # no role, answer, request... changed


def test_anonymous_is_sent_to_sign_in_and_sees_nothing(alpha_objects, client):
    for name, route in organisation_urls():
        url = fill(route, alpha_objects, alpha_objects["org_id"])
        response = client.get(url)
        if name.startswith("api:"):
            assert response.status_code in (401, 405), f"{url} -> {response.status_code}"
        elif response.status_code != 405:
            assert response.status_code == 302, f"{url} -> {response.status_code}"
            assert response["Location"].startswith("/accounts/login/")
        assert b"Alpha Parts" not in response.content


def test_a_missing_and_a_foreign_assessment_look_the_same(alpha_objects, beta, mallory):
    client = client_for(mallory)
    foreign = client.get(f"/o/{beta.pk}/assessments/{alpha_objects['assessment_id']}/")
    missing = client.get(f"/o/{beta.pk}/assessments/999999/")
    assert foreign.status_code == missing.status_code == 404
    varying = re.compile(rb'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]{64}"|nonce="[^"]+"|value="/o/[^"]*"')
    assert varying.sub(b"", foreign.content) == varying.sub(b"", missing.content)
