"""Submitting to an industry body, withdrawing, computing and publishing releases: the rules and refusals."""

import datetime

import pytest
from django.utils import timezone, translation

from keiretsu.accounts.models import AuditEvent, Membership, Role
from keiretsu.assessments import services as assessment_services
from keiretsu.benchmark import services
from keiretsu.benchmark.models import Release, ReleaseImmutable, Round, Submission, SubmissionScore
from keiretsu.catalogue.services import edition_load
from keiretsu.conftest import add_member, make_user

from .conftest import (
    FY,
    company_with_submission,
    make_company,
    mini_spec,
    owner_membership,
    publish,
    recompute,
    send,
    submitted_assessment,
)

SIX = ["○○○○○○", "○○×○××", "○×○○○－", "××××××", "○○○○×○", "○○－○○○"]


def six(round_, mini):
    return [company_with_submission(f"Company {i}", round_, mini, r) for i, r in enumerate(SIX)]


# --- Industry bodies and rounds -------------------------------------------------------------------


def test_marking_an_industry_body_is_audited(alpha, alice):
    assert services.industry_body_set(actor=alice, organisation=alpha, is_body=True) is True
    alpha.refresh_from_db()
    assert alpha.is_industry_body
    event = AuditEvent.objects.get(organisation=alpha, event="benchmark.body_marked")
    assert event.after == {"is_industry_body": True}
    assert services.industry_body_set(actor=alice, organisation=alpha, is_body=True) is False  # unchanged


def test_only_an_industry_body_opens_rounds(alpha, alice, mini):
    membership = owner_membership(alpha)
    with pytest.raises(services.NotAllowed):
        services.round_open(
            membership=membership, actor=alice, fiscal_year=FY, editions=[mini], deadline=timezone.localdate()
        )


def test_a_round_needs_company_wide_editions_and_a_future_deadline(body_membership, catalogue, mini):
    actor = body_membership.user
    today = timezone.localdate()
    with pytest.raises(services.BenchmarkError, match="whole company"):
        services.round_open(
            membership=body_membership,
            actor=actor,
            fiscal_year=FY,
            editions=[catalogue["jama-factory"]],
            deadline=today,
        )
    with pytest.raises(services.BenchmarkError, match="past"):
        services.round_open(
            membership=body_membership,
            actor=actor,
            fiscal_year=FY,
            editions=[mini],
            deadline=today - datetime.timedelta(days=1),
        )
    services.round_open(membership=body_membership, actor=actor, fiscal_year=FY, editions=[mini], deadline=today)
    with pytest.raises(services.Conflict):
        services.round_open(membership=body_membership, actor=actor, fiscal_year=FY, editions=[mini], deadline=today)
    assert Round.objects.count() == 1


def test_an_assessor_of_the_body_cannot_open_a_round(body, mini):
    bea = make_user("bea@jama.example")
    membership = add_member(body, bea, Role.ASSESSOR)
    with pytest.raises(services.NotAllowed):
        services.round_open(
            membership=membership, actor=bea, fiscal_year=FY, editions=[mini], deadline=timezone.localdate()
        )


# --- Submitting -----------------------------------------------------------------------------------


def test_submission_copies_segment_scores_and_consent(round_, mini, body):
    organisation = make_company("Gamma Press", tier=2, size="small", business_type="parts")
    assessment = submitted_assessment(organisation, mini, "○○×○××")
    submission = send(organisation, round_, assessment)

    assert (submission.tier, submission.size_band, submission.business_type) == (2, "small", "parts")
    assert submission.attained_rank == 1  # Lv1 attained, Lv2 not
    scores = {(s.kind, s.code): (s.achieved, s.applicable) for s in submission.scores.all()}
    assert scores == {
        ("overall", ""): (3, 6),
        ("level", "Lv1"): (3, 3),
        ("level", "Lv2"): (0, 3),
        ("section", "A"): (2, 3),
        ("section", "B"): (1, 3),
        ("priority", ""): (2, 2),
    }
    assert body.name in submission.consent_text
    assert "5" in submission.consent_text  # the minimum group size is stated
    # The company's and the body's audit logs both record it, in the same transaction.
    assert AuditEvent.objects.filter(organisation=organisation, event="benchmark.submitted").count() == 1
    received = AuditEvent.objects.get(organisation=body, event="benchmark.submission_received")
    assert received.after["company"] == "Gamma Press"
    # Later changes to the organisation do not move the submission to another segment.
    organisation.tier = 1
    organisation.save()
    submission.refresh_from_db()
    assert submission.tier == 2


def test_a_submission_after_the_deadline_is_refused(round_, mini):
    Round.objects.filter(pk=round_.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    round_.refresh_from_db()
    organisation = make_company("Late Corp")
    assessment = submitted_assessment(organisation, mini, "○○○○○○")
    with pytest.raises(services.Conflict, match="deadline"):
        send(organisation, round_, assessment)
    assert not Submission.objects.exists()


def test_the_deadline_day_itself_is_accepted(round_, mini):
    Round.objects.filter(pk=round_.pk).update(deadline=timezone.localdate())
    round_.refresh_from_db()
    organisation = make_company("Just In Time")
    send(organisation, round_, submitted_assessment(organisation, mini, "○○○○○○"))
    assert Submission.objects.count() == 1


def test_an_unsubmitted_assessment_is_refused(round_, mini):
    organisation = make_company("Draft Corp")
    membership = owner_membership(organisation)
    draft = assessment_services.assessment_create(
        membership=membership, actor=membership.user, scope=organisation.company_scope, edition=mini, fiscal_year=FY
    )
    with pytest.raises(services.BenchmarkError, match="submitted assessment"):
        send(organisation, round_, draft)
    assert not Submission.objects.exists()


def test_another_organisations_assessment_is_refused(round_, mini):
    victim = make_company("Victim Corp")
    assessment = submitted_assessment(victim, mini, "○○○○○○")
    thief = make_company("Thief Corp")
    with pytest.raises(services.NotFound, match="not one of your organisation"):
        send(thief, round_, assessment)
    assert not Submission.objects.exists()


def test_another_fiscal_year_is_refused(round_, mini):
    organisation = make_company("Old Corp")
    assessment = submitted_assessment(organisation, mini, "○○○○○○", fiscal_year=FY - 1)
    with pytest.raises(services.BenchmarkError, match=f"FY{FY}"):
        send(organisation, round_, assessment)


def test_an_edition_the_round_does_not_collect_is_refused(round_):
    organisation = make_company("Next Edition Corp")
    edition = edition_load(spec=mini_spec("2.0")).edition
    assessment = submitted_assessment(organisation, edition, "○○○○○○")
    with pytest.raises(services.BenchmarkError, match="does not collect"):
        send(organisation, round_, assessment)


def test_consent_is_required(round_, mini):
    organisation = make_company("Hasty Corp")
    assessment = submitted_assessment(organisation, mini, "○○○○○○")
    membership = owner_membership(organisation)
    with pytest.raises(services.ConsentMissing):
        services.submission_create(
            membership=membership, actor=membership.user, round=round_, assessment=assessment, consent=False
        )
    assert not Submission.objects.exists()


def test_only_an_owner_submits(round_, mini):
    organisation = make_company("Team Corp")
    assessment = submitted_assessment(organisation, mini, "○○○○○○")
    viewer = make_user("viewer@team.example")
    membership = add_member(organisation, viewer, Role.VIEWER)
    with pytest.raises(services.NotAllowed):
        services.submission_create(
            membership=membership, actor=viewer, round=round_, assessment=assessment, consent=True
        )


def test_a_body_that_lost_its_status_accepts_nothing(round_, mini, body):
    services.industry_body_set(actor=None, organisation=body, is_body=False)
    round_.refresh_from_db()
    organisation = make_company("Loyal Corp")
    with pytest.raises(services.Conflict, match="no longer collects"):
        send(organisation, round_, submitted_assessment(organisation, mini, "○○○○○○"))


def test_a_new_revision_replaces_the_earlier_submission(round_, mini):
    organisation, first, earlier = company_with_submission("Revising Corp", round_, mini, "○○××××")
    membership = owner_membership(organisation)
    revision = assessment_services.assessment_revise(membership=membership, actor=membership.user, assessment=first)
    revision = assessment_services.assessment_submit(membership=membership, actor=membership.user, assessment=revision)
    # The earlier revision can no longer be sent: a newer one was submitted.
    with pytest.raises(services.BenchmarkError, match="newer revision"):
        send(organisation, round_, first)
    later = send(organisation, round_, revision)
    earlier.refresh_from_db()
    assert earlier.status == Submission.Status.WITHDRAWN
    assert later.is_active
    assert Submission.objects.filter(organisation=organisation, status="active").count() == 1
    with pytest.raises(services.Conflict, match="already been sent"):
        send(organisation, round_, revision)


# --- Withdrawing ----------------------------------------------------------------------------------


def test_withdraw_before_publication(round_, mini, body):
    organisation, _assessment, submission = company_with_submission("Shy Corp", round_, mini, "○○○○○○")
    services.submission_withdraw(membership=owner_membership(organisation), actor=None, submission=submission)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.WITHDRAWN
    assert submission.withdrawn_at is not None
    assert AuditEvent.objects.filter(organisation=organisation, event="benchmark.withdrawn").exists()
    assert AuditEvent.objects.filter(organisation=body, event="benchmark.submission_cancelled").exists()
    with pytest.raises(services.Conflict, match="already been withdrawn"):
        services.submission_withdraw(membership=owner_membership(organisation), actor=None, submission=submission)


def test_withdraw_after_publication_is_refused_and_the_release_is_unchanged(round_, mini, body_membership):
    companies = six(round_, mini)
    release = publish(body_membership, recompute(body_membership, round_, mini))
    before = Release.objects.get(pk=release.pk).statistics
    organisation, _assessment, submission = companies[0]
    with pytest.raises(services.Conflict, match="can no longer be withdrawn"):
        services.submission_withdraw(membership=owner_membership(organisation), actor=None, submission=submission)
    submission.refresh_from_db()
    assert submission.is_active
    assert Release.objects.get(pk=release.pk).statistics == before


def test_someone_elses_submission_cannot_be_withdrawn(round_, mini):
    _organisation, _assessment, submission = company_with_submission("Target Corp", round_, mini, "○○○○○○")
    other = make_company("Meddler Corp")
    with pytest.raises(services.NotFound):
        services.submission_withdraw(membership=owner_membership(other), actor=None, submission=submission)


# --- Releases -------------------------------------------------------------------------------------


def test_publish_then_a_late_submission_makes_a_new_draft(round_, mini, body_membership):
    six(round_, mini)
    draft = recompute(body_membership, round_, mini)
    assert (draft.version, draft.status) == (1, Release.Status.DRAFT)
    published = publish(body_membership, draft)
    frozen = Release.objects.get(pk=published.pk)

    company_with_submission("Late but in time", round_, mini, "○○○○○○")
    second = recompute(body_membership, round_, mini)
    assert (second.version, second.status) == (2, Release.Status.DRAFT)
    assert second.companies == 7
    first = Release.objects.get(pk=published.pk)
    assert first.statistics == frozen.statistics
    assert first.companies == 6
    assert first.submissions.count() == 6
    # Recomputing again refreshes the one draft, it does not pile them up.
    again = recompute(body_membership, round_, mini)
    assert again.pk == second.pk
    assert Release.objects.filter(round=round_).count() == 2


def test_a_published_release_cannot_be_changed_or_deleted(round_, mini, body_membership):
    six(round_, mini)
    release = publish(body_membership, recompute(body_membership, round_, mini))
    release.statistics = {"groups": {}}
    with pytest.raises(ReleaseImmutable):
        release.save()
    with pytest.raises(ReleaseImmutable):
        Release.objects.get(pk=release.pk).delete()
    with pytest.raises(services.Conflict):
        services.release_discard(membership=body_membership, actor=None, release=release)
    with pytest.raises(services.Conflict, match="already been published"):
        publish(body_membership, release)
    assert Release.objects.get(pk=release.pk).statistics["groups"]["all"]["n"] == 6


def test_a_stale_draft_cannot_be_published(round_, mini, body_membership):
    companies = six(round_, mini)
    draft = recompute(body_membership, round_, mini)
    organisation, _assessment, submission = companies[5]
    services.submission_withdraw(membership=owner_membership(organisation), actor=None, submission=submission)
    with pytest.raises(services.Conflict, match="changed since"):
        publish(body_membership, draft)
    assert services.release_is_stale(draft)
    fresh = recompute(body_membership, round_, mini)
    assert not services.release_is_stale(fresh)
    publish(body_membership, fresh)


def test_too_few_companies_cannot_be_published(round_, mini, body_membership):
    for i, ratings in enumerate(SIX[:4]):
        company_with_submission(f"Company {i}", round_, mini, ratings)
    draft = recompute(body_membership, round_, mini)
    with pytest.raises(services.Conflict, match="Fewer than 5"):
        publish(body_membership, draft)


def test_a_draft_computed_with_a_smaller_k_must_be_recomputed(round_, mini, body_membership, settings):
    six(round_, mini)
    settings.BENCHMARK_MIN_GROUP_SIZE = 3
    draft = recompute(body_membership, round_, mini)
    settings.BENCHMARK_MIN_GROUP_SIZE = 5
    with pytest.raises(services.Conflict, match="Recompute"):
        publish(body_membership, draft)


def test_only_the_body_computes_and_publishes_its_releases(round_, mini, body_membership, alpha):
    six(round_, mini)
    outsider = owner_membership(alpha)
    with pytest.raises(services.NotAllowed):
        services.release_recompute(membership=outsider, actor=None, round=round_, edition=mini)
    draft = recompute(body_membership, round_, mini)
    services.industry_body_set(actor=None, organisation=alpha, is_body=True)
    outsider = Membership.objects.select_related("organisation").get(pk=outsider.pk)
    with pytest.raises(services.NotFound):
        services.release_publish(membership=outsider, actor=None, release=draft)
    assert Release.objects.get(pk=draft.pk).status == Release.Status.DRAFT


def test_release_events_are_audited(round_, mini, body_membership, body):
    six(round_, mini)
    release = publish(body_membership, recompute(body_membership, round_, mini))
    events = list(AuditEvent.objects.filter(organisation=body, target_type="release").values_list("event", flat=True))
    assert sorted(events) == ["benchmark.release_computed", "benchmark.release_published"]
    assert release.published_by == body_membership.user


def test_scores_rows_are_one_per_rate(round_, mini):
    six(round_, mini)
    # overall + 2 levels + 2 sections + priority, for each of six companies
    assert SubmissionScore.objects.count() == 6 * 6


def test_the_body_extends_or_closes_its_round_and_the_log_says_so(round_, mini, body_membership, body):
    today = timezone.localdate()
    actor = body_membership.user
    services.round_update(
        membership=body_membership, actor=actor, round=round_, deadline=today, note="  締切を早めます "
    )
    round_.refresh_from_db()
    assert (round_.deadline, round_.note, round_.is_open) == (today, "締切を早めます", True)
    event = AuditEvent.objects.get(event="benchmark.round_updated")
    assert event.organisation == body and event.after["deadline"] == today.isoformat()
    services.round_update(membership=body_membership, actor=actor, round=round_, deadline=today, note="締切を早めます")
    assert AuditEvent.objects.filter(event="benchmark.round_updated").count() == 1  # nothing changed
    # Closing it early: the round stops accepting submissions at once, everywhere.
    yesterday = today - datetime.timedelta(days=1)
    services.round_update(membership=body_membership, actor=actor, round=round_, deadline=yesterday, note="")
    round_.refresh_from_db()
    assert not round_.is_open and round_ not in Round.objects.open()
    organisation = make_company("Too Late")
    with translation.override("en"), pytest.raises(services.Conflict, match="deadline"):
        send(organisation, round_, submitted_assessment(organisation, mini, "○○○○○○"))


def test_only_the_bodys_owners_change_its_round(round_, body, body_membership, alpha, alice):
    assessor = make_user("assessor@body.example")
    add_member(body, assessor, Role.ASSESSOR)
    deadline = round_.deadline
    with pytest.raises(services.NotAllowed):
        services.round_update(
            membership=Membership.objects.get(user=assessor), actor=assessor, round=round_, deadline=deadline, note="x"
        )
    other_body = Membership.objects.get(user=alice, organisation=alpha)
    services.industry_body_set(actor=None, organisation=alpha, is_body=True)
    other_body.organisation.refresh_from_db()
    with pytest.raises(services.NotFound):
        services.round_update(membership=other_body, actor=alice, round=round_, deadline=deadline, note="x")
    round_.refresh_from_db()
    assert (round_.deadline, round_.note) == (deadline, "")
    assert not AuditEvent.objects.filter(event="benchmark.round_updated").exists()
