import json

import pytest
from django.test import Client

from keiretsu.api.services import api_token_create, api_token_revoke
from keiretsu.assessments import services
from keiretsu.assessments.models import Answer
from keiretsu.conftest import client_for, membership_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(catalogue, alpha, alice):
    return services.assessment_create(membership=membership_of(alice, alpha), actor=alice, scope=alpha.company_scope,
                                      edition=catalogue["meti-scs"], fiscal_year=2026)


def bearer(user):
    _, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def put(client, url, body, **headers):
    return client.put(url, json.dumps(body), content_type="application/json", **headers)


def test_read_an_assessment_with_a_token(assessment, alpha, bob):
    response = Client().get(f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/", **bearer(bob))
    assert response.status_code == 200
    data = response.json()
    assert data["edition"] == "2026-03" and data["guideline"] == "meti-scs"
    assert len(data["answers"]) == 153
    assert data["scores"]["overall"]["achievement_rate"] == 0.0
    assert data["scores"]["level_attained"] is None


def test_answer_with_a_token_and_the_scores_agree_with_the_page(assessment, alpha, bob):
    headers = bearer(bob)
    client = Client()
    url = f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/answers/1-1-1-1/"
    response = put(client, url, {"rating": "〇", "comment": "規程あり"}, **headers)
    assert response.status_code == 200
    assert response.json() == {"item": "1-1-1-1", "rating": "○", "reason": "", "comment": "規程あり", "review": None,
                               "changed": True}
    put(client, f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/answers/1-1-1-2/", {"rating": "－"}, **headers)
    data = client.get(f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/", **headers).json()
    assert data["scores"]["overall"]["achieved"] == 1
    assert data["scores"]["overall"]["applicable"] == 152
    assert data["scores"]["overall"]["achievement_rate"] == 0.7  # 1/152 = 0.66 %
    page = client_for(bob).get(f"/o/{alpha.pk}/assessments/{assessment.pk}/").content.decode()
    assert 'id="achievement-rate">0.7%<' in page


def test_bad_inputs_answer_json_errors_and_change_nothing(assessment, alpha, bob, vera):
    client = Client()
    headers = bearer(bob)
    base = f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/answers"
    assert put(client, f"{base}/1-1-1-1/", {"rating": "◎"}, **headers).status_code == 400
    assert put(client, f"{base}/9-9-9-9/", {"rating": "○"}, **headers).status_code == 400
    assert client.put(f"{base}/1-1-1-1/", "not json", content_type="application/json", **headers).status_code == 400
    assert put(client, f"{base}/1-1-1-1/", {"rating": 1}, **headers).status_code == 400
    assert put(client, f"{base}/1-1-1-1/", {"rating": "○"}, **bearer(vera)).status_code == 403
    assert "error" in put(client, f"{base}/1-1-1-1/", {"rating": "◎"}, **headers).json()
    assert not Answer.objects.exists()


def test_submitted_assessment_answers_409(assessment, alpha, alice):
    membership = membership_of(alice, alpha)
    for item in assessment.edition.items.all():
        services.answer_save(membership=membership, actor=alice, assessment=assessment, item=item, rating="○")
    services.assessment_submit(membership=membership, actor=alice, assessment=assessment)
    response = put(Client(), f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/answers/1-1-1-1/", {"rating": "×"},
                   **bearer(alice))
    assert response.status_code == 409
    assert Answer.objects.get(assessment=assessment, item__number="1-1-1-1").rating == "○"


def test_another_organisation_and_bad_tokens(assessment, alpha, beta, mallory, bob):
    client = Client()
    assert client.get(f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/", **bearer(mallory)).status_code == 404
    assert client.get(f"/api/v1/o/{beta.pk}/assessments/{assessment.pk}/", **bearer(mallory)).status_code == 404
    assert client.get(f"/api/v1/o/{alpha.pk}/assessments/").status_code == 401
    assert client.get(f"/api/v1/o/{alpha.pk}/assessments/", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    token, secret = api_token_create(user=bob, name="old")
    api_token_revoke(user=bob, token=token)
    assert client.get(f"/api/v1/o/{alpha.pk}/assessments/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_session_writes_need_the_csrf_token(assessment, alpha, bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    url = f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/answers/1-1-1-1/"
    assert put(client, url, {"rating": "○"}).status_code == 403
    assert not Answer.objects.exists()
    assert client.get(f"/api/v1/o/{alpha.pk}/assessments/").status_code == 200


def test_list_and_catalogue(assessment, alpha, bob):
    client = Client()
    headers = bearer(bob)
    listing = client.get(f"/api/v1/o/{alpha.pk}/assessments/", **headers).json()
    assert [a["id"] for a in listing["assessments"]] == [assessment.pk]
    response = client.get("/api/v1/catalogue/editions/", **headers)
    assert {e["guideline"] for e in response.json()["editions"]} == {"jama-factory", "meti-scs", "jama-priority-items"}
    assert "工場領域版" in response.content.decode()  # readable UTF-8, not \u escapes


def test_tokens_page_creates_shows_once_and_revokes(bob):
    from keiretsu.api.models import ApiToken

    client = client_for(bob)
    response = client.post("/accounts/tokens/", {"name": "Excel macro"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=bob)
    secret = response.context["secret"]
    assert secret.startswith(token.prefix) and secret not in client.get("/accounts/tokens/").content.decode()
    assert Client().get("/api/v1/catalogue/editions/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    client.post(f"/accounts/tokens/{token.pk}/revoke/", {"confirmed": "1"})
    assert Client().get("/api/v1/catalogue/editions/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_token_of_someone_else_cannot_be_revoked(bob, mallory):
    from keiretsu.api.models import ApiToken

    token, secret = api_token_create(user=bob, name="mine")
    assert client_for(mallory).post(f"/accounts/tokens/{token.pk}/revoke/", {"confirmed": "1"}).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.parametrize("field", ["comment", "reason"])
def test_the_api_has_the_web_forms_lengths(assessment, alpha, bob, field):
    from keiretsu.accounts.models import AuditEvent

    headers = bearer(bob)
    url = f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/answers/1-1-1-1/"
    audit_rows = AuditEvent.objects.count()
    response = put(Client(), url, {"rating": "○", field: "x" * 2_000_000}, **headers)
    assert response.status_code == 400
    assert "4,000" in response.json()["error"]
    assert not Answer.objects.exists() and AuditEvent.objects.count() == audit_rows
    response = put(Client(), url, {"rating": "○", field: "x" * 4001}, **headers)
    assert response.status_code == 400
    response = put(Client(), url, {"rating": "○", field: "x" * 4000}, **headers)
    assert response.status_code == 200
    assert len(getattr(Answer.objects.get(), field)) == 4000
