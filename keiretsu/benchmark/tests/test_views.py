"""The benchmark pages: who may open what (404 for everyone else), the flows, and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keiretsu.accounts.models import Role
from keiretsu.benchmark.models import Release, Submission
from keiretsu.conftest import add_member, client_for, make_user

from .conftest import company_with_submission, make_company, owner_membership, publish, recompute, submitted_assessment

SIX = ["○○○○○○", "○○×○××", "○×○○○－", "××××××", "○○○○×○", "○○－○○○"]


@pytest.fixture
def world(round_, mini, body, body_membership):
    """Six companies have sent; a release is published; a second draft is in review."""
    companies = [company_with_submission(f"Company {i}", round_, mini, r) for i, r in enumerate(SIX)]
    published = publish(body_membership, recompute(body_membership, round_, mini))
    company_with_submission("Latecomer", round_, mini, "○○○○○○")
    draft = recompute(body_membership, round_, mini)
    return {"companies": companies, "published": published, "draft": draft, "round": round_, "body": body}


def body_urls(world):
    """Pages of the industry body's own work: (method, url)."""
    body, round_ = world["body"].pk, world["round"].pk
    submission = world["companies"][0][2].pk
    draft = world["draft"].pk
    return [
        ("get", reverse("benchmark:round", args=[body, round_])),
        ("get", reverse("benchmark:round_edit", args=[body, round_])),
        ("post", reverse("benchmark:recompute", args=[body, round_])),
        ("get", reverse("benchmark:received_submission", args=[body, round_, submission])),
        ("get", reverse("benchmark:release", args=[body, draft])),
        ("get", reverse("benchmark:release_csv", args=[body, draft])),
        ("post", reverse("benchmark:publish", args=[body, draft])),
        ("post", reverse("benchmark:discard", args=[body, draft])),
    ]


def company_urls(world):
    organisation, assessment, submission = world["companies"][0]
    org = organisation.pk
    return [
        ("get", reverse("benchmark:home", args=[org])),
        ("get", reverse("benchmark:submit", args=[org, world["round"].pk])),
        ("get", reverse("benchmark:withdraw", args=[org, submission.pk])),
        ("post", reverse("benchmark:withdraw", args=[org, submission.pk])),
        ("get", reverse("benchmark:comparison", args=[org, assessment.pk])),
        ("get", reverse("benchmark:release", args=[org, world["published"].pk])),
        ("get", reverse("benchmark:release_csv", args=[org, world["published"].pk])),
    ]


def test_anonymous_is_sent_to_sign_in_everywhere(client, world):
    for method, url in body_urls(world) + company_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    assert Release.objects.get(pk=world["draft"].pk).status == Release.Status.DRAFT


def test_an_unrelated_organisation_gets_404_everywhere(world, mallory, beta):
    client = client_for(mallory)
    for method, url in body_urls(world) + company_urls(world):
        assert getattr(client, method)(url).status_code == 404, url  # not a member of these organisations
    # The same objects through mallory's own organisation: still not hers.
    body = world["body"].pk
    organisation, _assessment, submission = world["companies"][0]
    for method, url in body_urls(world) + company_urls(world):
        url = url.replace(f"/o/{body}/", f"/o/{beta.pk}/").replace(f"/o/{organisation.pk}/", f"/o/{beta.pk}/")
        expected = (
            200
            if ("/submit/" in url or f"/releases/{world['published'].pk}/" in url or url.endswith("/benchmark/"))
            else 404
        )
        assert getattr(client, method)(url).status_code == expected, url
    assert Submission.objects.get(pk=submission.pk).is_active
    assert Release.objects.get(pk=world["draft"].pk).status == Release.Status.DRAFT


def test_a_company_never_sees_a_draft_or_another_companys_things(world):
    organisation, _assessment, _submission = world["companies"][0]
    other_org, other_assessment, other_submission = world["companies"][1]
    client = client_for(owner_membership(organisation).user)
    org = organisation.pk
    assert client.get(reverse("benchmark:release", args=[org, world["draft"].pk])).status_code == 404
    assert client.get(reverse("benchmark:release_csv", args=[org, world["draft"].pk])).status_code == 404
    assert client.get(reverse("benchmark:comparison", args=[org, other_assessment.pk])).status_code == 404
    assert client.post(reverse("benchmark:withdraw", args=[org, other_submission.pk])).status_code == 404
    assert client.get(reverse("benchmark:round", args=[org, world["round"].pk])).status_code == 404
    assert (
        client.get(
            reverse("benchmark:received_submission", args=[org, world["round"].pk, other_submission.pk])
        ).status_code
        == 404
    )
    assert Submission.objects.get(pk=other_submission.pk).is_active


def test_a_viewer_of_the_body_reads_but_cannot_publish(world):
    body = world["body"]
    vic = make_user("vic@jama.example")
    add_member(body, vic, Role.VIEWER)
    client = client_for(vic)
    assert client.get(reverse("benchmark:release", args=[body.pk, world["draft"].pk])).status_code == 200
    assert client.post(reverse("benchmark:publish", args=[body.pk, world["draft"].pk]), {"confirmed": "1"}).status_code == 403
    assert client.get(reverse("benchmark:round_create", args=[body.pk])).status_code == 403
    assert Release.objects.get(pk=world["draft"].pk).status == Release.Status.DRAFT


def test_a_company_cannot_open_the_body_pages(alpha, alice):
    client = client_for(alice)
    assert client.get(reverse("benchmark:round_create", args=[alpha.pk])).status_code == 404


def test_submit_with_consent_flow(round_, mini, body):
    organisation = make_company("Flow Corp")
    assessment = submitted_assessment(organisation, mini, "○○×○××")
    client = client_for(owner_membership(organisation).user)
    url = reverse("benchmark:submit", args=[organisation.pk, round_.pk])

    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert body.name in content
    assert "k" and "5" in content

    refused = client.post(url, {"assessment": assessment.pk})  # consent box not ticked
    assert refused.status_code == 200
    assert not Submission.objects.exists()

    done = client.post(url, {"assessment": assessment.pk, "consent": "on"})
    assert done.status_code == 302
    submission = Submission.objects.get()
    assert submission.assessment == assessment
    assert submission.consent_text.split()[0] in content  # what was shown is what was stored


def test_submit_page_explains_when_nothing_can_be_sent(round_, mini):
    organisation = make_company("Empty Corp")
    client = client_for(owner_membership(organisation).user)
    response = client.get(reverse("benchmark:submit", args=[organisation.pk, round_.pk]))
    assert response.status_code == 200
    assert not response.context["has_assessments"]


def test_withdraw_flow_and_refusal_after_publication(world):
    late_org = Submission.objects.get(organisation__name="Latecomer")
    client = client_for(owner_membership(late_org.organisation).user)
    org = late_org.organisation_id
    assert client.get(reverse("benchmark:withdraw", args=[org, late_org.pk])).status_code == 200
    assert client.post(reverse("benchmark:withdraw", args=[org, late_org.pk])).status_code == 302
    late_org.refresh_from_db()
    assert not late_org.is_active

    organisation, _assessment, counted = world["companies"][0]
    client = client_for(owner_membership(organisation).user)
    response = client.post(reverse("benchmark:withdraw", args=[organisation.pk, counted.pk]), follow=True)
    assert "no longer be withdrawn" in response.content.decode() or "取り下げ" in response.content.decode()
    counted.refresh_from_db()
    assert counted.is_active


def test_body_recomputes_reviews_and_publishes(world, iris):
    client = client_for(iris)
    body, round_ = world["body"].pk, world["round"].pk
    response = client.post(reverse("benchmark:recompute", args=[body, round_]), {"edition": world["draft"].edition_id})
    draft = Release.objects.get(round=round_, status=Release.Status.DRAFT)
    assert response["Location"] == reverse("benchmark:release", args=[body, draft.pk])
    review = client.get(response["Location"])
    assert review.status_code == 200
    assert client.post(reverse("benchmark:publish", args=[body, draft.pk]), {"confirmed": "1"}).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    assert draft.companies == 7


def test_csv_is_utf8_with_bom(world):
    organisation = world["companies"][0][0]
    client = client_for(owner_membership(organisation).user)
    response = client.get(reverse("benchmark:release_csv", args=[organisation.pk, world["published"].pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    assert "68.9" in text  # the overall mean, to the digit
    assert world["body"].name in text


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_submissions(round_, mini, body, body_membership, iris):
    companies = [company_with_submission(f"Company {i}", round_, mini, r) for i, r in enumerate(SIX)]
    release = publish(body_membership, recompute(body_membership, round_, mini))
    organisation, assessment, _submission = companies[0]
    company = client_for(owner_membership(organisation).user)
    body_client = client_for(iris)
    urls = [
        (company, reverse("benchmark:home", args=[organisation.pk])),
        (company, reverse("benchmark:release", args=[organisation.pk, release.pk])),
        (company, reverse("benchmark:release_csv", args=[organisation.pk, release.pk])),
        (company, reverse("benchmark:comparison", args=[organisation.pk, assessment.pk])),
        (body_client, reverse("benchmark:home", args=[body.pk])),
        (body_client, reverse("benchmark:round", args=[body.pk, round_.pk])),
    ]
    for client, url in urls:
        client.get(url)  # the first visit of an organisation also saves it in the session
    before = [queries(client, url) for client, url in urls]
    for i in range(6):
        company_with_submission(f"More {i}", round_, mini, SIX[i])
    publish(body_membership, recompute(body_membership, round_, mini))
    after = [queries(client, url) for client, url in urls]
    assert before == after
    assert max(after) <= 20


def test_pages_render_in_english_too(world):
    organisation, assessment, _submission = world["companies"][3]
    client = client_for(owner_membership(organisation).user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("benchmark:comparison", args=[organisation.pk, assessment.pk]))
    assert "Focus issues" in response.content.decode()
    client.cookies["django_language"] = "ja"
    response = client.get(reverse("benchmark:comparison", args=[organisation.pk, assessment.pk]))
    assert "重点課題" in response.content.decode()


def test_the_body_no_longer_sees_a_withdrawn_submission(round_, mini, body, iris):
    from keiretsu.benchmark import services

    organisation, _assessment, submission = company_with_submission("Changed Mind", round_, mini, "○○×○××")
    client = client_for(iris)
    url = reverse("benchmark:received_submission", args=[body.pk, round_.pk, submission.pk])
    assert "50.0%" in client.get(url).content.decode()
    services.submission_withdraw(membership=owner_membership(organisation), actor=None, submission=submission)
    response = client.get(url)
    assert response.status_code == 200
    assert "rated_items" not in response.context
    assert "50.0%" not in response.content.decode()
    listing = client.get(reverse("benchmark:round", args=[body.pk, round_.pk]))
    assert listing.context["submissions"][0].overall_percent is None


def test_a_bad_release_parameter_is_404(world):
    organisation, assessment, _submission = world["companies"][0]
    client = client_for(owner_membership(organisation).user)
    url = reverse("benchmark:comparison", args=[organisation.pk, assessment.pk])
    assert client.get(url + "?release=abc").status_code == 404
    assert client.get(url + f"?release={world['draft'].pk}").status_code == 404  # a draft is not published
    assert client.get(url + f"?release={world['published'].pk}").status_code == 200


def test_an_edition_without_levels(catalogue, body, body_membership, iris):
    """The priority-items edition has sections and priority items but no levels: every page still works."""
    import datetime

    from django.utils import timezone

    from keiretsu.benchmark import services

    from .conftest import FY

    edition = catalogue["jama-priority-items"]
    round_ = services.round_open(
        membership=body_membership,
        actor=iris,
        fiscal_year=FY,
        editions=[edition],
        deadline=timezone.localdate() + datetime.timedelta(days=1),
    )
    companies = [company_with_submission(f"P{i}", round_, edition, "○" * i + "×" * (8 - i)) for i in range(5)]
    release = publish(body_membership, recompute(body_membership, round_, edition))
    assert release.statistics["levels"] == []
    assert release.statistics["groups"]["all"]["overall"]["mean"] == "25.0"  # (0 + 1 + 2 + 3 + 4) / 8 / 5
    organisation, assessment, _ = companies[4]
    client = client_for(owner_membership(organisation).user)
    for url in (
        reverse("benchmark:release", args=[organisation.pk, release.pk]),
        reverse("benchmark:comparison", args=[organisation.pk, assessment.pk]),
        reverse("benchmark:release_csv", args=[organisation.pk, release.pk]),
    ):
        assert client.get(url).status_code == 200, url
