"""The yearly review at carry-over: □ △ × come back to be reviewed; submission waits for it;
the notes are part of the answer's history and visible to a customer with full sharing."""

import pytest
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer, Assessment, AssessmentEvent
from keiretsu.conftest import client_for, make_organisation, make_user
from keiretsu.supplychain.models import Share

from .conftest import FY, answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def carried_over(owner, factory_assessment, alice):
    """Last year (FY2025): No.1 ○, No.2 □ (with a reason), No.3 ×, No.4 －, No.5 △, the rest ○;
    submitted. This year (FY2026) starts from it."""
    for item in factory_assessment.edition.items.order_by("position")[5:]:
        answer(owner, factory_assessment, item.number, "○")
    assessment_services.assessment_submit(membership=owner, actor=alice, assessment=factory_assessment)
    return assessment_services.assessment_create(
        membership=owner, actor=alice, scope=factory_assessment.scope, edition=factory_assessment.edition,
        fiscal_year=FY + 1, carry_forward=True,
    )


def awaiting(assessment):
    return sorted(
        Answer.objects.filter(assessment=assessment, review_required=True, reviewed_at=None)
        .values_list("item__number", flat=True), key=int
    )


def test_every_square_triangle_and_cross_comes_back_for_review(carried_over):
    assert awaiting(carried_over) == ["2", "3", "5"]
    assert not Answer.objects.get(assessment=carried_over, item__number="1").review_required  # ○
    assert not Answer.objects.get(assessment=carried_over, item__number="4").review_required  # －


def test_submission_lists_the_unreviewed_ones_and_changes_nothing(carried_over, owner, alice):
    with pytest.raises(assessment_services.SubmissionIncomplete, match="3 件が見直されていません") as refused:
        assessment_services.assessment_submit(membership=owner, actor=alice, assessment=carried_over)
    assert [(p.item.number, p.problem) for p in refused.value.problems] == [("2", "review"), ("3", "review"), ("5", "review")]
    carried_over.refresh_from_db()
    assert carried_over.status == Assessment.Status.DRAFT
    page = client_for(alice).get(reverse("assessments:submit", args=[owner.organisation_id, carried_over.pk]))
    assert page.content.decode().count("年次見直しがまだです") == 3


def test_a_note_confirms_a_square_and_a_new_rating_reviews_a_cross(carried_over, owner, alice):
    item2 = carried_over.edition.items.get(number="2")
    assessment_services.answer_save(membership=owner, actor=alice, assessment=carried_over, item=item2, rating="□",
                                    reason="来年度予算で対応予定", review_note="理由は今も妥当。見積もり取得済み")
    answer(owner, carried_over, "3", "○")  # changed: reviewed
    assert awaiting(carried_over) == ["5"]
    reviewed = AuditEvent.objects.filter(event=AssessmentEvent.ANSWER_REVIEWED).order_by("pk")
    assert [e.after["item"] for e in reviewed] == ["2", "3"]
    assert reviewed[0].before["review_note"] == "" and reviewed[0].after["review_note"] == "理由は今も妥当。見積もり取得済み"
    # An empty note with the same rating is no review.
    item5 = carried_over.edition.items.get(number="5")
    assessment_services.answer_save(membership=owner, actor=alice, assessment=carried_over, item=item5, rating="△",
                                    review_note="  ")
    assert awaiting(carried_over) == ["5"]
    assessment_services.answer_save(membership=owner, actor=alice, assessment=carried_over, item=item5, rating="△",
                                    review_note="情報システム部と協議中")
    assert awaiting(carried_over) == []
    assessment_services.assessment_submit(membership=owner, actor=alice, assessment=carried_over)


def test_the_checklist_asks_the_right_question_and_saves_the_note(carried_over, owner, alice):
    client = client_for(alice)
    url = reverse("assessments:detail", args=[owner.organisation_id, carried_over.pk])
    page = client.get(url).content.decode()
    assert page.count("見送りの理由は今も妥当ですか") == 1  # the □
    assert page.count("社内での検討はどこまで進みましたか") == 2  # the △ and the ×
    item = carried_over.edition.items.get(number="2")
    response = client.post(reverse("assessments:answer", args=[owner.organisation_id, carried_over.pk, item.pk]),
                           {"rating": "□", "reason": "来年度予算で対応予定", "review_note": "予算申請済み"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "見直し済み" in response.content.decode()
    assert Answer.objects.get(assessment=carried_over, item=item).review_note == "予算申請済み"


def test_a_revision_keeps_the_reviews_as_they_were(carried_over, owner, alice):
    for number in ("2", "3", "5"):
        item = carried_over.edition.items.get(number=number)
        current = Answer.objects.get(assessment=carried_over, item=item)
        assessment_services.answer_save(membership=owner, actor=alice, assessment=carried_over, item=item,
                                        rating=current.rating, reason=current.reason, review_note=f"note {number}")
    submitted = assessment_services.assessment_submit(membership=owner, actor=alice, assessment=carried_over)
    revision = assessment_services.assessment_revise(membership=owner, actor=alice, assessment=submitted)
    assert awaiting(revision) == []
    assert Answer.objects.get(assessment=revision, item__number="2").review_note == "note 2"


def test_a_customer_with_full_sharing_reads_the_review_notes(carried_over, owner, alice):
    item = carried_over.edition.items.get(number="2")
    assessment_services.answer_save(membership=owner, actor=alice, assessment=carried_over, item=item, rating="□",
                                    reason="来年度予算で対応予定", review_note="予算申請済み")
    answer(owner, carried_over, "3", "○")
    answer(owner, carried_over, "5", "○")
    carried_over = assessment_services.assessment_submit(membership=owner, actor=alice, assessment=carried_over)
    carol = make_user("carol@customer.example", "Carol")
    customer = make_organisation(carol, "Customer Motors", "400000000004")
    for detail, shown in ((Share.Detail.SUMMARY, False), (Share.Detail.FULL, True)):
        Share.objects.filter(recipient=customer).delete()
        share = Share.objects.create(organisation=carried_over.organisation, recipient=customer, assessment=carried_over,
                                     scope=carried_over.scope, edition=carried_over.edition,
                                     fiscal_year=carried_over.fiscal_year, detail=detail)
        page = client_for(carol).get(reverse("supplychain:result", args=[customer.pk, share.pk])).content.decode()
        assert ("予算申請済み" in page) is shown


def test_the_api_shows_and_takes_the_review(carried_over, owner, alice):
    from keiretsu.api.services import api_token_create

    _, token = api_token_create(user=alice, name="t")
    headers = {"Authorization": f"Bearer {token}"}
    client = client_for(alice)
    url = f"/api/v1/o/{owner.organisation_id}/assessments/{carried_over.pk}/answers/5/"
    response = client.put(url, {"rating": "△", "review_note": "協議中"}, content_type="application/json", headers=headers)
    assert response.status_code == 200 and response.json()["review"]["note"] == "協議中"
    assert response.json()["review"]["reviewed_at"]
