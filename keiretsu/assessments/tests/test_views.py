"""The assessment pages over HTTP: with htmx and without, the refusals, the query counts."""

import pytest
from keiretsu.catalogue.selectors import forget_structures
from django.core.cache import caches
from django.urls import reverse

from keiretsu.assessments import services
from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments.models import Answer, Assessment
from keiretsu.catalogue.models import Item
from keiretsu.conftest import client_for, membership_of

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def meti_assessment(catalogue, alpha, alice):
    return services.assessment_create(membership=membership_of(alice, alpha), actor=alice,
                                      scope=alpha.company_scope, edition=catalogue["meti-scs"], fiscal_year=2026)


@pytest.fixture
def factory_assessment(catalogue, alpha, alice, alpha_factory):
    return services.assessment_create(membership=membership_of(alice, alpha), actor=alice, scope=alpha_factory,
                                      edition=catalogue["jama-factory"], fiscal_year=2026)


def answer_url(assessment, item):
    return reverse("assessments:answer", args=[assessment.organisation_id, assessment.pk, item.pk])


def detail_url(assessment):
    return reverse("assessments:detail", args=[assessment.organisation_id, assessment.pk])


def test_the_checklist_shows_items_grouped_by_label_with_their_texts(factory_assessment, alice):
    page = client_for(alice).get(detail_url(factory_assessment)).content.decode()
    assert "体制(平時)" in page and "バックアップ・復元(リストア)" in page
    assert page.count('class="item"') == 63
    assert "工場や生産技術内の情報/OT セキュリティ部門責任者を含む" in page  # condition of item 1
    assert "【規則】" in page
    assert 'value="□"' in page and 'value="－"' in page


def test_answer_with_htmx_returns_the_form_and_the_new_scores(factory_assessment, bob):
    item = Item.objects.get(edition=factory_assessment.edition, number="1")
    response = client_for(bob).post(answer_url(factory_assessment, item), {"rating": "○"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="answer-{item.pk}"' in body
    assert 'id="scoreboard"' in body and 'hx-swap-oob="true"' in body
    assert "1.6%" in body  # 1 of 63 applicable items achieved
    assert Answer.objects.get(assessment=factory_assessment, item=item).rating == "○"


def test_answer_without_javascript_redirects_back_to_the_item(factory_assessment, bob):
    item = Item.objects.get(edition=factory_assessment.edition, number="7")
    response = client_for(bob).post(answer_url(factory_assessment, item), {"rating": "×", "next": "?unanswered=1"})
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(factory_assessment)}?unanswered=1#item-{item.pk}"
    assert Answer.objects.get(assessment=factory_assessment, item=item).rating == "×"


def test_a_foreign_next_parameter_is_not_followed(factory_assessment, bob):
    item = Item.objects.get(edition=factory_assessment.edition, number="7")
    response = client_for(bob).post(answer_url(factory_assessment, item), {"rating": "×", "next": "https://evil.example/"})
    assert response["Location"] == f"{detail_url(factory_assessment)}#item-{item.pk}"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_rating_outside_the_scale_answers_400_and_changes_nothing(factory_assessment, bob, headers):
    item = Item.objects.get(edition=factory_assessment.edition, number="1")
    response = client_for(bob).post(answer_url(factory_assessment, item), {"rating": "◎"}, **headers)
    assert response.status_code == 400
    assert "◎" in response.content.decode()
    assert not Answer.objects.exists()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_an_item_of_another_edition_answers_400(factory_assessment, catalogue, bob, headers):
    item = Item.objects.get(edition=catalogue["meti-scs"], number="1-1-1-1")
    response = client_for(bob).post(answer_url(factory_assessment, item), {"rating": "○"}, **headers)
    assert response.status_code == 400
    assert not Answer.objects.exists()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_an_answer_to_a_submitted_assessment_answers_409(factory_assessment, alpha, alice, headers):
    membership = membership_of(alice, alpha)
    for item in factory_assessment.edition.items.all():
        services.answer_save(membership=membership, actor=alice, assessment=factory_assessment, item=item, rating="○")
    services.assessment_submit(membership=membership, actor=alice, assessment=factory_assessment)
    item = Item.objects.get(edition=factory_assessment.edition, number="1")
    response = client_for(alice).post(answer_url(factory_assessment, item), {"rating": "×"}, **headers)
    assert response.status_code == 409
    assert Answer.objects.get(assessment=factory_assessment, item=item).rating == "○"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_an_answer_to_another_organisations_assessment_answers_404(factory_assessment, mallory, beta, headers):
    item = Item.objects.get(edition=factory_assessment.edition, number="1")
    url = reverse("assessments:answer", args=[beta.pk, factory_assessment.pk, item.pk])
    assert client_for(mallory).post(url, {"rating": "○"}, **headers).status_code == 404
    url = answer_url(factory_assessment, item)  # Alpha's own URL, as Mallory
    assert client_for(mallory).post(url, {"rating": "○"}, **headers).status_code == 404
    assert not Answer.objects.exists()


def test_a_viewer_cannot_answer(factory_assessment, vera):
    item = Item.objects.get(edition=factory_assessment.edition, number="1")
    assert client_for(vera).post(answer_url(factory_assessment, item), {"rating": "○"}).status_code == 403
    assert 'disabled' in client_for(vera).get(detail_url(factory_assessment)).content.decode()
    assert not Answer.objects.exists()


def test_filters(factory_assessment, alpha, alice):
    membership = membership_of(alice, alpha)
    items = {i.number: i for i in factory_assessment.edition.items.all()}
    services.answer_save(membership=membership, actor=alice, assessment=factory_assessment, item=items["1"], rating="○")
    services.answer_save(membership=membership, actor=alice, assessment=factory_assessment, item=items["2"], rating="□")
    client = client_for(alice)
    url = detail_url(factory_assessment)
    assert client.get(url, {"unanswered": "1"}).content.decode().count('class="item"') == 61
    assert client.get(url, {"rating": "□"}).content.decode().count('class="item"') == 1
    assert client.get(url, {"priority": "1"}).content.decode().count('class="item"') == 3  # items 16, 17, 58
    partial = client.get(url, {"rating": "○"}, **HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="checklist">') and "<html" not in partial


def test_level_filter_on_meti(meti_assessment, alice):
    page = client_for(alice).get(detail_url(meti_assessment), {"level": "★3"}).content.decode()
    assert page.count('class="item"') == 81


def test_the_assessment_page_makes_the_same_number_of_queries_whatever_the_number_of_items(
    factory_assessment, meti_assessment, catalogue, alpha, alice, django_assert_num_queries
):
    membership = membership_of(alice, alpha)
    for assessment in (factory_assessment, meti_assessment):
        for item in assessment.edition.items.all()[:40]:
            services.answer_save(membership=membership, actor=alice, assessment=assessment, item=item, rating="○")
    client = client_for(alice)
    client.get(detail_url(factory_assessment))  # warm the session
    counts = []
    for assessment in (factory_assessment, meti_assessment):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        caches["catalogue"].clear()  # each edition's structure measured cold (it is kept per process)
        forget_structures()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail_url(assessment)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts  # 63 items and 153 items: the same queries
    assert counts[1] <= 16


def test_submit_page_lists_what_is_missing_then_submits(factory_assessment, alpha, alice):
    membership = membership_of(alice, alpha)
    client = client_for(alice)
    url = reverse("assessments:submit", args=[alpha.pk, factory_assessment.pk])
    page = client.get(url).content.decode()
    assert "No.63" in page
    assert client.post(url).status_code == 302
    factory_assessment.refresh_from_db()
    assert not factory_assessment.is_frozen
    for item in factory_assessment.edition.items.all():
        services.answer_save(membership=membership, actor=alice, assessment=factory_assessment, item=item, rating="－")
    assert client.post(url).status_code == 302
    factory_assessment.refresh_from_db()
    assert factory_assessment.is_frozen
    page = client.get(detail_url(factory_assessment)).content.decode()
    assert 'id="achievement-rate">－<' in page  # everything not applicable: no rate, not 0 % nor 100 %


def test_an_assessor_cannot_submit(factory_assessment, alpha, bob):
    for item in factory_assessment.edition.items.all():  # complete: an owner could submit it
        services.answer_save(membership=membership_of(bob, alpha), actor=bob, assessment=factory_assessment,
                             item=item, rating="○")
    url = reverse("assessments:submit", args=[alpha.pk, factory_assessment.pk])
    assert client_for(bob).post(url).status_code == 403
    factory_assessment.refresh_from_db()
    assert factory_assessment.status == Assessment.Status.DRAFT and not factory_assessment.score_snapshot
    assert not AuditEvent.objects.filter(event="assessment.submitted").exists()


def test_start_an_assessment_from_the_form(catalogue, alpha, alice):
    response = client_for(alice).post(
        reverse("assessments:create", args=[alpha.pk]),
        {"edition": catalogue["meti-scs"].pk, "scope": alpha.company_scope.pk, "fiscal_year": 2026},
    )
    assert response.status_code == 302
    assessment = alpha.assessments.get()
    assert response["Location"] == detail_url(assessment)


def test_dashboard_shows_the_rates_and_a_chart(factory_assessment, alpha, alice):
    membership = membership_of(alice, alpha)
    items = list(factory_assessment.edition.items.all())
    services.answer_save(membership=membership, actor=alice, assessment=factory_assessment, item=items[0], rating="○")
    services.answer_save(membership=membership, actor=alice, assessment=factory_assessment, item=items[1], rating="－")
    page = client_for(alice).get(reverse("assessments:dashboard", args=[alpha.pk])).content.decode()
    assert "1.6%" in page  # 1 achieved of 62 applicable
    assert "<svg" in page and "chart-bar" in page


def test_two_editions_of_one_scope_are_two_cards_with_two_titles(catalogue, alpha, alice):
    import re

    membership = membership_of(alice, alpha)
    for slug in ("jama-priority-items", "meti-scs"):
        services.assessment_create(
            membership=membership, actor=alice, scope=alpha.company_scope, edition=catalogue[slug], fiscal_year=2026
        )
    page = client_for(alice).get(reverse("assessments:dashboard", args=[alpha.pk])).content.decode()
    titles = [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r'<article class="card">\s*(?:\{#.*?#\})?\s*<h2>(.*?)</h2>', page, re.S)]
    assert len(titles) == 2 and len(set(titles)) == 2, titles
    assert any("優先的に取り組むべき項目" in title for title in titles)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize("field", ["comment", "reason"])
def test_a_text_over_the_limit_is_refused_and_keeps_both_the_stored_and_the_typed_text(
    factory_assessment, alpha, bob, headers, field
):
    item = factory_assessment.edition.items.get(number="2")
    services.answer_save(membership=membership_of(bob, alpha), actor=bob, assessment=factory_assessment, item=item,
                         rating="□", reason="来年度予算で対応予定", comment="規程あり")
    typed = "長" * 4001
    posted = {"rating": "□", "reason": "来年度予算で対応予定", "comment": "規程あり", field: typed}
    response = client_for(bob).post(answer_url(factory_assessment, item), posted, **headers)
    assert response.status_code == 400
    page = response.content.decode()
    assert "4,001" in page and "4,000" in page  # says why
    assert typed in page  # the text the person typed is still in the form
    assert "保存しました" not in page
    answer = Answer.objects.get(assessment=factory_assessment, item=item)
    assert (answer.reason, answer.comment) == ("来年度予算で対応予定", "規程あり")


def test_a_text_at_the_limit_is_saved(factory_assessment, bob):
    item = factory_assessment.edition.items.get(number="1")
    response = client_for(bob).post(answer_url(factory_assessment, item), {"rating": "○", "comment": "長" * 4000}, **HTMX)
    assert response.status_code == 200
    assert len(Answer.objects.get(assessment=factory_assessment, item=item).comment) == 4000
