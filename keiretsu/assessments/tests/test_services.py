"""The assessment rules, through the services: what is accepted, what is refused, what is audited."""

import pytest
from django.core.exceptions import PermissionDenied

from keiretsu.accounts.models import AuditEvent, Scope
from keiretsu.assessments import services
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.catalogue.models import Item
from keiretsu.conftest import membership_of
from keiretsu.lib.refusals import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def factory_assessment(catalogue, alpha, alice, alpha_factory):
    return services.assessment_create(
        membership=membership_of(alice, alpha), actor=alice, scope=alpha_factory,
        edition=catalogue["jama-factory"], fiscal_year=2026,
    )


def item(edition, number):
    return Item.objects.get(edition=edition, number=number)


def answer_all(assessment, membership, actor, rating="○"):
    for it in assessment.edition.items.all():
        services.answer_save(membership=membership, actor=actor, assessment=assessment, item=it, rating=rating,
                             reason="理由" if rating == "□" else "")


def test_an_answer_is_saved_and_audited_with_before_and_after(factory_assessment, alpha, bob):
    membership = membership_of(bob, alpha)
    one = item(factory_assessment.edition, "1")
    services.answer_save(membership=membership, actor=bob, assessment=factory_assessment, item=one, rating="×")
    services.answer_save(membership=membership, actor=bob, assessment=factory_assessment, item=one, rating="〇",
                         comment="規程あり")
    answer = Answer.objects.get(assessment=factory_assessment, item=one)
    assert (answer.rating, answer.comment, answer.updated_by) == ("○", "規程あり", bob)  # the alias 〇 is stored as ○
    events = list(AuditEvent.objects.filter(event="assessment.answer_changed").order_by("pk"))
    assert len(events) == 2
    assert events[0].before == {"item": "1"} and events[0].after["rating"] == "×"
    assert events[1].before["rating"] == "×" and events[1].after == {"item": "1", "rating": "○", "reason": "", "comment": "規程あり"}
    assert events[1].actor == bob and events[1].organisation == alpha


def test_saving_the_same_answer_again_changes_nothing(factory_assessment, alpha, bob):
    membership = membership_of(bob, alpha)
    one = item(factory_assessment.edition, "1")
    services.answer_save(membership=membership, actor=bob, assessment=factory_assessment, item=one, rating="○")
    saved = services.answer_save(membership=membership, actor=bob, assessment=factory_assessment, item=one, rating="○")
    assert not saved.changed
    assert AuditEvent.objects.filter(event="assessment.answer_changed").count() == 1


def test_a_rating_outside_the_scale_is_refused_and_nothing_changes(factory_assessment, alpha, bob):
    membership = membership_of(bob, alpha)
    one = item(factory_assessment.edition, "1")
    services.answer_save(membership=membership, actor=bob, assessment=factory_assessment, item=one, rating="△")
    with pytest.raises(services.InvalidAnswer) as caught:
        services.answer_save(membership=membership, actor=bob, assessment=factory_assessment, item=one, rating="◎")
    assert caught.value.status == 400
    assert "○ □ △ × －" in caught.value.message
    assert Answer.objects.get(assessment=factory_assessment, item=one).rating == "△"


def test_an_item_of_another_edition_is_refused(factory_assessment, catalogue, alpha, bob):
    meti_item = item(catalogue["meti-scs"], "1-1-1-1")
    with pytest.raises(services.InvalidAnswer):
        services.answer_save(membership=membership_of(bob, alpha), actor=bob, assessment=factory_assessment,
                             item=meti_item, rating="○")
    assert not Answer.objects.exists()


def test_viewers_cannot_answer(factory_assessment, alpha, vera):
    with pytest.raises(PermissionDenied):
        services.answer_save(membership=membership_of(vera, alpha), actor=vera, assessment=factory_assessment,
                             item=item(factory_assessment.edition, "1"), rating="○")
    assert not Answer.objects.exists()


def test_submit_lists_what_is_missing(factory_assessment, alpha, alice):
    membership = membership_of(alice, alpha)
    answer_all(factory_assessment, membership, alice)
    services.answer_save(membership=membership, actor=alice, assessment=factory_assessment,
                         item=item(factory_assessment.edition, "5"), rating="□")  # no reason
    services.answer_save(membership=membership, actor=alice, assessment=factory_assessment,
                         item=item(factory_assessment.edition, "9"), rating="")  # cleared
    with pytest.raises(services.SubmissionIncomplete) as caught:
        services.assessment_submit(membership=membership, actor=alice, assessment=factory_assessment)
    assert [(p.item.number, p.problem) for p in caught.value.problems] == [("5", "reason"), ("9", "unanswered")]
    factory_assessment.refresh_from_db()
    assert factory_assessment.status == Assessment.Status.DRAFT


def test_only_owners_submit(factory_assessment, alpha, bob):
    answer_all(factory_assessment, membership_of(bob, alpha), bob)
    with pytest.raises(PermissionDenied):
        services.assessment_submit(membership=membership_of(bob, alpha), actor=bob, assessment=factory_assessment)


def test_a_submitted_assessment_is_frozen_and_a_revision_starts_from_it(factory_assessment, alpha, alice):
    membership = membership_of(alice, alpha)
    answer_all(factory_assessment, membership, alice)
    services.answer_save(membership=membership, actor=alice, assessment=factory_assessment,
                         item=item(factory_assessment.edition, "2"), rating="□", reason="来年度予算化")
    submitted = services.assessment_submit(membership=membership, actor=alice, assessment=factory_assessment)
    assert submitted.status == Assessment.Status.SUBMITTED
    assert submitted.score_snapshot["overall"] == {"total": 63, "answered": 63, "applicable": 63, "achieved": 62, "examined": 63}

    with pytest.raises(services.AssessmentFrozen) as caught:
        services.answer_save(membership=membership, actor=alice, assessment=submitted,
                             item=item(submitted.edition, "1"), rating="×")
    assert caught.value.status == 409
    assert Answer.objects.get(assessment=submitted, item__number="1").rating == "○"
    with pytest.raises(services.AssessmentFrozen):
        services.assessment_submit(membership=membership, actor=alice, assessment=submitted)

    revision = services.assessment_revise(membership=membership, actor=alice, assessment=submitted)
    assert (revision.revision, revision.revised_from, revision.status) == (2, submitted, Assessment.Status.DRAFT)
    assert revision.answers.count() == 63
    services.answer_save(membership=membership, actor=alice, assessment=revision, item=item(revision.edition, "1"), rating="×")
    # What was submitted stays exactly as it was.
    assert Answer.objects.get(assessment=submitted, item__number="1").rating == "○"
    submitted.refresh_from_db()
    assert submitted.score_snapshot["overall"]["achieved"] == 62
    # Only the latest revision can be revised, once.
    with pytest.raises(services.AlreadyExists):
        services.assessment_revise(membership=membership, actor=alice, assessment=submitted)
    assert AuditEvent.objects.filter(event="assessment.submitted").count() == 1
    assert AuditEvent.objects.filter(event="assessment.revised").count() == 1


def test_scope_must_fit_the_edition(catalogue, alpha, alice, alpha_factory):
    membership = membership_of(alice, alpha)
    with pytest.raises(services.InvalidAnswer):
        services.assessment_create(membership=membership, actor=alice, scope=alpha.company_scope,
                                   edition=catalogue["jama-factory"], fiscal_year=2026)
    with pytest.raises(services.InvalidAnswer):
        services.assessment_create(membership=membership, actor=alice, scope=alpha_factory,
                                   edition=catalogue["meti-scs"], fiscal_year=2026)
    line = Scope.objects.create(organisation=alpha, kind="line", name="L1", parent=alpha_factory)
    assert services.assessment_create(membership=membership, actor=alice, scope=line,
                                      edition=catalogue["jama-factory"], fiscal_year=2026)


def test_one_assessment_per_scope_edition_and_year(factory_assessment, alpha, alice, alpha_factory):
    with pytest.raises(services.AlreadyExists) as caught:
        services.assessment_create(membership=membership_of(alice, alpha), actor=alice, scope=alpha_factory,
                                   edition=factory_assessment.edition, fiscal_year=2026)
    assert caught.value.existing == factory_assessment


def test_the_annual_review_starts_from_last_years_submission(factory_assessment, alpha, alice, alpha_factory):
    membership = membership_of(alice, alpha)
    answer_all(factory_assessment, membership, alice, rating="□")
    services.assessment_submit(membership=membership, actor=alice, assessment=factory_assessment)
    next_year = services.assessment_create(membership=membership, actor=alice, scope=alpha_factory,
                                           edition=factory_assessment.edition, fiscal_year=2027, carry_forward=True)
    copied = next_year.answers.get(item__number="3")
    assert (copied.rating, copied.reason) == ("□", "理由")
    assert next_year.answers.count() == 63


def test_another_organisations_scope_is_refused(catalogue, alpha, beta, alice):
    with pytest.raises(services.InvalidAnswer):
        services.assessment_create(membership=membership_of(alice, alpha), actor=alice, scope=beta.company_scope,
                                   edition=catalogue["meti-scs"], fiscal_year=2026)
    assert not Assessment.objects.exists()


def test_another_organisations_owner_cannot_start_answer_submit_or_revise_it(factory_assessment, alpha, alice, beta, mallory):
    """Defence in depth behind the selectors: a 404, and the audit log names no wrong organisation."""
    owner, other = membership_of(alice, alpha), membership_of(mallory, beta)
    answer_all(factory_assessment, owner, alice)
    rows = AuditEvent.objects.count()
    with pytest.raises(NotFound):
        services.assessment_submit(membership=other, actor=mallory, assessment=factory_assessment)
    with pytest.raises(NotFound):
        services.answer_save(membership=other, actor=mallory, assessment=factory_assessment,
                             item=item(factory_assessment.edition, "1"), rating="×")
    with pytest.raises(services.InvalidAnswer):  # the scope is checked as an input (see above)
        services.assessment_create(membership=other, actor=mallory, scope=factory_assessment.scope,
                                   edition=factory_assessment.edition, fiscal_year=2027)
    factory_assessment.refresh_from_db()
    assert factory_assessment.status == Assessment.Status.DRAFT
    assert Answer.objects.get(assessment=factory_assessment, item__number="1").rating == "○"
    services.assessment_submit(membership=owner, actor=alice, assessment=factory_assessment)
    rows = AuditEvent.objects.count()
    with pytest.raises(NotFound):
        services.assessment_revise(membership=other, actor=mallory, assessment=factory_assessment)
    assert Assessment.objects.filter(scope=factory_assessment.scope).count() == 1
    assert AuditEvent.objects.count() == rows
    assert not AuditEvent.objects.filter(organisation=beta, event__startswith="assessment.").exists()

