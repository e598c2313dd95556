"""The benchmark's JSON endpoints: published releases for anyone signed in, the rest scoped."""

import pytest
from django.test import Client
from django.urls import reverse

from keiretsu.api.models import ApiToken
from keiretsu.conftest import client_for
from keiretsu.lib.tokens import new_token

from .conftest import company_with_submission, owner_membership, publish, recompute

SIX = ["○○○○○○", "○○×○××", "○×○○○－", "××××××", "○○○○×○", "○○－○○○"]


@pytest.fixture
def world(round_, mini, body_membership):
    companies = [company_with_submission(f"Company {i}", round_, mini, r) for i, r in enumerate(SIX)]
    published = publish(body_membership, recompute(body_membership, round_, mini))
    company_with_submission("Latecomer", round_, mini, "○○○○○○")
    draft = recompute(body_membership, round_, mini)
    return {"companies": companies, "published": published, "draft": draft}


def test_anonymous_gets_401(client, world):
    organisation, assessment, _ = world["companies"][0]
    for url in (
        reverse("api:benchmark_releases"),
        reverse("api:benchmark_release", args=[world["published"].pk]),
        reverse("api:benchmark_comparison", args=[organisation.pk, assessment.pk]),
        reverse("api:benchmark_submissions", args=[organisation.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == {"error": "authentication required"}


def test_published_release_with_a_bearer_token(world, mallory):
    token, token_hash = new_token()
    ApiToken.objects.create(user=mallory, name="ci", token_hash=token_hash, prefix=token[:8])
    client = Client(headers={"Authorization": f"Bearer {token}"})

    listing = client.get(reverse("api:benchmark_releases")).json()
    assert [r["id"] for r in listing["releases"]] == [world["published"].pk]
    assert listing["releases"][0]["companies"] == 6

    data = client.get(reverse("api:benchmark_release", args=[world["published"].pk])).json()
    everyone = next(g for g in data["groups"] if g["key"] == "all")
    assert everyone["companies"] == 6
    assert everyone["overall"] == {"status": "published", "n": 6, "mean": 68.9, "q1": 57.5, "median": 81.7, "q3": 95.8}
    assert everyone["level_attained"]["Lv1"] == {"status": "published", "n": 6, "share": 66.7}
    assert everyone["items"]["3"] == {"status": "published", "n": 5, "share": 60.0}
    empty = next(g for g in data["groups"] if g["key"] == "tier:3")
    assert empty["status"] == "empty" and "overall" not in empty


def test_a_draft_is_not_served_by_the_api(world, iris):
    # Not even to the body: the API serves published releases only.
    for user in (iris, owner_membership(world["companies"][0][0]).user):
        response = client_for(user).get(reverse("api:benchmark_release", args=[world["draft"].pk]))
        assert response.status_code == 404


def test_comparison_of_own_assessment_only(world, mallory, beta):
    organisation, assessment, _ = world["companies"][1]
    own = client_for(owner_membership(organisation).user)
    own.cookies["django_language"] = "en"
    data = own.get(reverse("api:benchmark_comparison", args=[organisation.pk, assessment.pk])).json()
    assert data["release"]["id"] == world["published"].pk
    assert data["comparison"]["overall"] == {
        "code": "overall",
        "title": "Overall",
        "own": 50.0,
        "industry": 68.9,
        "segment": 68.9,
    }
    assert data["comparison"]["percentile"] == 25
    other = client_for(mallory)
    assert other.get(reverse("api:benchmark_comparison", args=[organisation.pk, assessment.pk])).status_code == 404
    assert other.get(reverse("api:benchmark_comparison", args=[beta.pk, assessment.pk])).status_code == 404
    bad = own.get(reverse("api:benchmark_comparison", args=[organisation.pk, assessment.pk]) + "?release=x")
    assert bad.status_code == 400


def test_submissions_are_the_organisations_own(world, mallory, beta):
    organisation, assessment, submission = world["companies"][0]
    data = (
        client_for(owner_membership(organisation).user)
        .get(reverse("api:benchmark_submissions", args=[organisation.pk]))
        .json()
    )
    assert [s["id"] for s in data["submissions"]] == [submission.pk]
    assert data["submissions"][0]["counted_in_published_release"] is True
    assert client_for(mallory).get(reverse("api:benchmark_submissions", args=[organisation.pk])).status_code == 404
    assert client_for(mallory).get(reverse("api:benchmark_submissions", args=[beta.pk])).json() == {"submissions": []}
