"""A NUL byte (U+0000) anywhere a person or a program can send text is refused with a 400 and a
message, before any view or database sees it (PostgreSQL cannot store it and answered 500)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keiretsu.api.services import api_token_create
from keiretsu.assessments import services
from keiretsu.assessments.models import Answer
from keiretsu.conftest import client_for, membership_of
from keiretsu.supplychain.models import Supplier

pytestmark = pytest.mark.django_db

MESSAGE = "NUL 文字"


@pytest.fixture
def assessment(catalogue, alpha, alice):
    return services.assessment_create(
        membership=membership_of(alice, alpha),
        actor=alice,
        scope=alpha.company_scope,
        edition=catalogue["meti-scs"],
        fiscal_year=2026,
    )


@pytest.mark.parametrize("query", ["q=%00", "q=abc%00def", "%00=1", "page=%00"])
def test_a_nul_in_a_query_parameter_is_a_400_with_a_message(alpha, alice, query):
    for url in (f"/o/{alpha.pk}/assessments/?{query}", f"/catalogue/?{query}", f"/o/{alpha.pk}/suppliers/?{query}"):
        response = client_for(alice).get(url)
        assert response.status_code == 400, url
        assert MESSAGE in response.content.decode()


def test_a_nul_in_a_form_field_is_a_400_and_nothing_is_saved(assessment, alpha, alice):
    item = assessment.edition.items.get(number="1-1-1-1")
    url = reverse("assessments:answer", args=[alpha.pk, assessment.pk, item.pk])
    response = client_for(alice).post(url, {"rating": "○", "comment": "規程\x00あり"})
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not Answer.objects.exists()


def test_a_nul_in_a_multipart_form_field_is_a_400(alpha, alice):
    url = reverse("supplychain:supplier_import", args=[alpha.pk])
    response = client_for(alice).post(url, {"note": "x\x00", "file": SimpleUploadedFile("s.csv", b"a,b\r\n")})
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not Supplier.objects.exists()


def test_a_nul_in_an_api_body_or_query_is_a_json_400(assessment, alpha, bob):
    _, secret = api_token_create(user=bob, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    url = f"/api/v1/o/{alpha.pk}/assessments/{assessment.pk}/answers/1-1-1-1/"
    response = Client().put(
        url, json.dumps({"rating": "○", "comment": "a\u0000b"}), content_type="application/json", **headers
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
    response = Client().put(
        url, json.dumps({"rating": "○", "nested": {"k\u0000": ["x"]}}), content_type="application/json", **headers
    )
    assert response.status_code == 400
    response = Client().get(f"/api/v1/o/{alpha.pk}/assessments/?q=%00", **headers)
    assert response.status_code == 400 and "NUL" in response.json()["error"]
    assert not Answer.objects.exists()


def test_ordinary_text_still_goes_through(assessment, alpha, alice):
    item = assessment.edition.items.get(number="1-1-1-1")
    url = reverse("assessments:answer", args=[alpha.pk, assessment.pk, item.pk])
    response = client_for(alice).post(url, {"rating": "○", "comment": "規程あり \\u0000 は文字列"})
    assert response.status_code in (200, 302)
    assert Answer.objects.get().comment == "規程あり \\u0000 は文字列"
