"""The audit log as an auditor reads it: a sentence per event in the reader's language, a
before → after table with labels (never raw keys or Python values), filters, pages, a CSV
export and a JSON API for owners; rows from the checksheet import's bulk path read exactly
as single answers do."""

import csv
import datetime
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from keiretsu.accounts import audit, audit_display
from keiretsu.accounts.models import AuditEvent
from keiretsu.api.services import api_token_create
from keiretsu.assessments import services as assessment_services
from keiretsu.conftest import client_for, membership_of
from keiretsu.interchange import services as interchange_services
from keiretsu.interchange.checksheet_export import export_checksheet
from keiretsu.interchange.selectors import assessment_data
from keiretsu.interchange.tests import samples
from keiretsu.interchange.tests.conftest import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(catalogue, alpha, alice, bob, alpha_factory):
    """Alice starts an assessment and answers No.1 on the page; Bob imports a checksheet that
    answers No.2 and changes No.1 (the bulk path)."""
    owner = membership_of(alice, alpha)
    assessment = assessment_services.assessment_create(
        membership=owner, actor=alice, scope=alpha_factory, edition=catalogue["jama-factory"], fiscal_year=2025
    )
    answer(owner, assessment, "1", "×", comment="未着手")
    filled = samples.fill_checksheet(
        export_checksheet(assessment_data(assessment)),
        {
            "1": ("○", "", "体制図を改訂"),
            "2": ("□", "予算待ち", ""),
        },
    )
    assessor = membership_of(bob, alpha)
    pending = interchange_services.checksheet_import_prepare(
        membership=assessor, actor=bob, assessment=assessment, data=filled, file_name="filled.xlsx"
    )
    interchange_services.checksheet_import_apply(membership=assessor, actor=bob, pending=pending)
    return assessment


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_registered_event_type_has_a_sentence_and_labels_for_its_fields():
    missing = [code for code in audit.registered_events() if not audit_display.has_sentence(code)]
    assert missing == []


def test_the_log_reads_as_sentences_with_a_before_after_table_of_labels(history, alpha, alice):
    page = client_for(alice).get(reverse("accounts:audit_log", args=[alpha.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    text = text_of(html)
    for raw in ("{'", "'rating'", "None", "True", "False", "\\n", "rating", "comment", "answers_changed"):
        assert raw not in text, raw
    assert "Alice が回答を変更しました" in text
    assert "Bob が回答を変更しました" in text
    assert "Bob がチェックシートを取り込みました" in text
    assert "Alice が自己評価を開始しました" in text
    assert "評価" in text and "コメント" in text and "→" in text
    # The bulk row of No.1 (Bob's import) reads as the single one did: the same table rows.
    assert re.search(r"評価\s*×\s*→\s*○", text)
    assert re.search(r"コメント\s*未着手\s*→\s*体制図を改訂", text)


def test_bulk_and_single_rows_render_alike(history):
    single = AuditEvent.objects.filter(event="assessment.answer_changed", actor__email__startswith="alice").get()
    bulk = AuditEvent.objects.filter(
        event="assessment.answer_changed", actor__email__startswith="bob", target_label__endswith="No.1"
    ).get()
    with translation.override("ja"):
        one, other = audit_display.readable(single), audit_display.readable(bulk)
    assert [c.label for c in one.changes] == ["評価", "コメント"]
    assert [(c.label, c.before, c.after) for c in other.changes] == [
        ("評価", "×", "○"),
        ("コメント", "未着手", "体制図を改訂"),
    ]
    assert one.sentence.endswith("。") and other.sentence.replace("Bob", "Alice") == one.sentence.replace(
        "（なし）", ""
    )


def test_filters_by_person_event_type_and_dates(history, alpha, alice, bob):
    client = client_for(alice)
    url = reverse("accounts:audit_log", args=[alpha.pk])
    only_bob = text_of(client.get(url, {"actor": bob.pk}).content.decode())
    assert "Bob が" in only_bob and "Alice が回答" not in only_bob
    imports = text_of(client.get(url, {"event": "interchange.checksheet_imported"}).content.decode())
    assert "チェックシートを取り込みました" in imports and "回答を変更しました" not in imports
    today = timezone.localdate()
    assert "回答を変更しました" in text_of(client.get(url, {"date_from": today.isoformat()}).content.decode())
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert "回答を変更しました" not in text_of(client.get(url, {"date_to": yesterday}).content.decode())
    bad = client.get(url, {"date_from": "not a date"})
    assert bad.status_code == 400


def test_pages_of_50_with_constant_queries(history, alpha, alice, django_assert_num_queries):
    owner = membership_of(alice, alpha)
    from django.db import transaction

    with transaction.atomic():
        audit.record_many(
            actor=alice,
            organisation=alpha,
            event="assessment.answer_changed",
            target=history,
            rows=[(f"No.{n}", {"item": str(n), "rating": "×"}, {"item": str(n), "rating": "○"}) for n in range(120)],
        )
    client = client_for(alice)
    url = reverse("accounts:audit_log", args=[alpha.pk])
    client.get(url)
    # 8: the page's 7 and the menu's count of to-dos (improvement.context_processors.todo).
    with django_assert_num_queries(8):
        first = client.get(url)
    with django_assert_num_queries(8):
        third = client.get(url, {"page": 3})
    assert first.content.decode().count('class="audit-event"') == 50
    assert "次へ" in first.content.decode() and "前へ" in third.content.decode()
    assert owner.can_manage


def test_the_csv_export_is_readable_and_formula_safe(history, alpha, alice):
    from keiretsu.accounts import services as account_services
    from keiretsu.accounts.models import Scope

    alpha_member = membership_of(alice, alpha)
    answer(alpha_member, history, "3", "○", comment="規程あり")
    account_services.scope_create(membership=alpha_member, actor=alice, kind=Scope.Kind.FACTORY, name='=HYPERLINK("x")')
    response = client_for(alice).get(reverse("accounts:audit_log_export", args=[alpha.pk]), {"actor": alice.pk})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["日時", "操作者", "種類", "内容", "対象", "変更内容"]
    assert all(row[1] == "Alice" for row in rows[1:])
    assert ['\'=HYPERLINK("x")'] == [row[4] for row in rows[1:] if "HYPERLINK" in row[4]]
    assert not any(field.startswith(("=", "+", "-", "@")) for row in rows for field in row)
    assert any(row[5] == "評価：— → ○\nコメント：— → 規程あり" for row in rows[1:])


def test_the_json_api_is_for_owners(history, alpha, alice, bob, mallory):
    _, secret = api_token_create(user=alice, name="audit")
    url = f"/api/v1/o/{alpha.pk}/audit/"
    response = client_for(alice).get(url, {"event": "assessment.answer_changed"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    event = data["events"][0]
    assert set(event) >= {"at", "actor", "event", "event_label", "sentence", "target", "changes", "before", "after"}
    assert event["changes"][0]["field"] == "rating" and event["changes"][0]["label"]
    _, bob_secret = api_token_create(user=bob, name="audit")
    assert client_for(bob).get(url, HTTP_AUTHORIZATION=f"Bearer {bob_secret}").status_code == 403
    _, m_secret = api_token_create(user=mallory, name="audit")
    assert client_for(mallory).get(url, HTTP_AUTHORIZATION=f"Bearer {m_secret}").status_code == 404
    json.dumps(data)


def test_the_page_and_its_export_are_for_owners_only(history, alpha, bob, mallory):
    assert client_for(bob).get(reverse("accounts:audit_log", args=[alpha.pk])).status_code == 403
    assert client_for(bob).get(reverse("accounts:audit_log_export", args=[alpha.pk])).status_code == 403
    assert client_for(mallory).get(reverse("accounts:audit_log", args=[alpha.pk])).status_code == 404
