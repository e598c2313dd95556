"""The optional approval step (docs/rules.md, "Approval"): assessors mark an assessment ready, an
owner approves it or returns it with a comment, only an approved one is submitted; a change to
an answer after approval sends it back to in progress. Each refusal changes nothing."""

import pytest
from django.urls import reverse
from django.utils import translation

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments import services
from keiretsu.assessments.models import Approval, ApprovalPolicy, Assessment, AssessmentEvent
from keiretsu.conftest import client_for, membership_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _japanese():
    with translation.override("ja"):
        yield


@pytest.fixture
def owner(alpha, alice):
    return membership_of(alice, alpha)


@pytest.fixture
def assessor(alpha, bob):
    return membership_of(bob, alpha)


@pytest.fixture
def complete(catalogue, owner, alice):
    """Alpha's company against the priority items (19), every item answered ○: submittable."""
    assessment = services.assessment_create(
        membership=owner, actor=alice, scope=owner.organisation.company_scope,
        edition=catalogue["jama-priority-items"], fiscal_year=2026,
    )
    for item in assessment.edition.items.all():
        services.answer_save(membership=owner, actor=alice, assessment=assessment, item=item, rating="○")
    return assessment


@pytest.fixture
def step_on(owner, alice):
    services.approval_policy_set(membership=owner, actor=alice, required=True)


def state(assessment):
    return Assessment.objects.values_list("status", "approval", "approval_comment").get(pk=assessment.pk)


def events(kind):
    return AuditEvent.objects.filter(event=kind).count()


def test_without_the_step_an_owner_submits_directly(complete, owner, alice):
    services.assessment_submit(membership=owner, actor=alice, assessment=complete)
    assert state(complete)[0] == Assessment.Status.SUBMITTED


def test_switching_the_step_is_an_owners_and_audited(owner, assessor, alice, bob, step_on):
    assert ApprovalPolicy.objects.get(organisation=owner.organisation).required
    event = AuditEvent.objects.get(event=AssessmentEvent.APPROVAL_POLICY_SET)
    assert (event.actor, event.before, event.after) == (alice, {"approval_required": False}, {"approval_required": True})
    with pytest.raises(services.NotAllowed, match="オーナー"):
        services.approval_policy_set(membership=assessor, actor=bob, required=False)
    assert services.approval_required(owner.organisation_id)
    assert not services.approval_policy_set(membership=owner, actor=alice, required=True)  # no change, no row
    assert events(AssessmentEvent.APPROVAL_POLICY_SET) == 1


def test_submission_without_approval_is_refused_when_the_step_is_on(complete, owner, alice, step_on):
    with pytest.raises(services.NotApproved, match="承認されていません"):
        services.assessment_submit(membership=owner, actor=alice, assessment=complete)
    assert state(complete) == (Assessment.Status.DRAFT, "", "")
    assert events(AssessmentEvent.SUBMITTED) == 0


def test_ready_then_approved_then_submitted_each_audited(complete, owner, assessor, alice, bob, step_on):
    services.assessment_mark_ready(membership=assessor, actor=bob, assessment=complete)
    assert state(complete)[1] == Approval.READY
    services.assessment_approve(membership=owner, actor=alice, assessment=complete)
    assert state(complete)[1] == Approval.APPROVED
    services.assessment_submit(membership=owner, actor=alice, assessment=complete)
    assert state(complete)[:2] == (Assessment.Status.SUBMITTED, Approval.APPROVED)
    ready = AuditEvent.objects.get(event=AssessmentEvent.MARKED_READY)
    approved = AuditEvent.objects.get(event=AssessmentEvent.APPROVED)
    assert (ready.actor, ready.before["approval"], ready.after["approval"]) == (bob, "", "ready")
    assert (approved.actor, approved.before["approval"], approved.after["approval"]) == (alice, "ready", "approved")


def test_an_approval_by_an_assessor_is_refused_and_changes_nothing(complete, assessor, bob, step_on):
    services.assessment_mark_ready(membership=assessor, actor=bob, assessment=complete)
    before = events(AssessmentEvent.APPROVED)
    with pytest.raises(services.ApprovalRefused, match="承認できるのはオーナーだけです"):
        services.assessment_approve(membership=assessor, actor=bob, assessment=complete)
    with pytest.raises(services.ApprovalRefused):
        services.assessment_return(membership=assessor, actor=bob, assessment=complete, comment="やり直し")
    assert state(complete) == (Assessment.Status.DRAFT, Approval.READY, "")
    assert events(AssessmentEvent.APPROVED) == before == 0


def test_an_approval_by_an_assessor_over_http_says_why(complete, assessor, bob, step_on):
    services.assessment_mark_ready(membership=assessor, actor=bob, assessment=complete)
    url = reverse("assessments:approval", args=[complete.organisation_id, complete.pk])
    response = client_for(bob).post(url, {"step": "approve"}, follow=True)
    assert "承認できるのはオーナーだけです" in response.content.decode()
    assert state(complete)[1] == Approval.READY


def test_a_viewer_cannot_mark_ready(complete, alpha, vera, step_on):
    with pytest.raises(services.NotAllowed):
        services.assessment_mark_ready(membership=membership_of(vera, alpha), actor=vera, assessment=complete)
    assert state(complete)[1] == ""


def test_approving_what_was_not_marked_ready_is_refused(complete, owner, alice, step_on):
    with pytest.raises(services.ApprovalConflict, match="承認を依頼された自己評価だけです"):
        services.assessment_approve(membership=owner, actor=alice, assessment=complete)
    assert state(complete)[1] == ""


def test_returned_with_a_comment_then_ready_again(complete, owner, assessor, alice, bob, step_on):
    services.assessment_mark_ready(membership=assessor, actor=bob, assessment=complete)
    with pytest.raises(services.InvalidAnswer, match="コメント"):
        services.assessment_return(membership=owner, actor=alice, assessment=complete, comment="  ")
    assert state(complete)[1] == Approval.READY
    services.assessment_return(membership=owner, actor=alice, assessment=complete, comment="No.3 の根拠を追記")
    assert state(complete) == (Assessment.Status.DRAFT, Approval.RETURNED, "No.3 の根拠を追記")
    with pytest.raises(services.NotApproved):
        services.assessment_submit(membership=owner, actor=alice, assessment=complete)
    page = client_for(bob).get(reverse("assessments:detail", args=[complete.organisation_id, complete.pk])).content.decode()
    assert "No.3 の根拠を追記" in page and "差し戻し" in page
    services.assessment_mark_ready(membership=assessor, actor=bob, assessment=complete)
    assert state(complete) == (Assessment.Status.DRAFT, Approval.READY, "")


def test_a_change_after_approval_sends_it_back_to_in_progress(complete, owner, assessor, alice, bob, step_on):
    services.assessment_mark_ready(membership=assessor, actor=bob, assessment=complete)
    services.assessment_approve(membership=owner, actor=alice, assessment=complete)
    item = complete.edition.items.order_by("position").first()
    # Saving the same answer again changes nothing: still approved.
    services.answer_save(membership=assessor, actor=bob, assessment=complete, item=item, rating="○")
    assert state(complete)[1] == Approval.APPROVED
    services.answer_save(membership=assessor, actor=bob, assessment=complete, item=item, rating="○", comment="追記")
    assert state(complete)[1] == Approval.CHANGED
    reopened = AuditEvent.objects.get(event=AssessmentEvent.REOPENED)
    assert (reopened.actor, reopened.before, reopened.after) == (bob, {"approval": "approved"}, {"approval": "changed"})
    with pytest.raises(services.NotApproved):
        services.assessment_submit(membership=owner, actor=alice, assessment=complete)
    page = client_for(alice).get(reverse("assessments:detail", args=[complete.organisation_id, complete.pk])).content.decode()
    assert "承認後に回答が変更されたため、回答中に戻りました" in page
    submit_page = client_for(alice).get(reverse("assessments:submit", args=[complete.organisation_id, complete.pk])).content.decode()
    assert "提出できるのは承認された自己評価だけです" in submit_page and 'name="step" value="ready"' in submit_page


def test_another_organisations_assessment_answers_404(complete, mallory, beta, step_on):
    url = reverse("assessments:approval", args=[complete.organisation_id, complete.pk])
    assert client_for(mallory).post(url, {"step": "ready"}).status_code == 404
    url = reverse("assessments:approval", args=[beta.pk, complete.pk])
    assert client_for(mallory).post(url, {"step": "ready"}).status_code == 404
    with pytest.raises(services.NotFound):
        services.assessment_mark_ready(membership=membership_of(mallory, beta), actor=mallory, assessment=complete)
    assert state(complete)[1] == ""


def test_the_whole_step_over_http(complete, owner, alice, bob, step_on):
    url = reverse("assessments:approval", args=[complete.organisation_id, complete.pk])
    submit = reverse("assessments:submit", args=[complete.organisation_id, complete.pk])
    assert client_for(bob).post(url, {"step": "ready"}).status_code == 302
    alice_client = client_for(alice)
    page = alice_client.get(submit).content.decode()
    assert 'value="approve"' in page and 'value="return"' in page
    assert alice_client.post(url, {"step": "approve", "next": "submit"})["Location"] == submit
    assert alice_client.post(submit).status_code == 302
    assert state(complete)[0] == Assessment.Status.SUBMITTED


def test_the_policy_page(owner, alice, bob):
    url = reverse("assessments:approval_policy", args=[owner.organisation_id])
    assert "変更できるのはオーナーだけです" in client_for(bob).get(url).content.decode()
    client_for(bob).post(url, {"required": "1"})
    assert not services.approval_required(owner.organisation_id)
    client_for(alice).post(url, {"required": "1"})
    assert services.approval_required(owner.organisation_id)


def test_a_revision_starts_without_approval(complete, owner, assessor, alice, bob, step_on):
    services.assessment_mark_ready(membership=assessor, actor=bob, assessment=complete)
    services.assessment_approve(membership=owner, actor=alice, assessment=complete)
    submitted = services.assessment_submit(membership=owner, actor=alice, assessment=complete)
    revision = services.assessment_revise(membership=owner, actor=alice, assessment=submitted)
    assert revision.approval == ""
    with pytest.raises(services.NotApproved):
        services.assessment_submit(membership=owner, actor=alice, assessment=revision)
