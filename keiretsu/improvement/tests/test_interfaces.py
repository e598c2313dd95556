"""The plan and the targets in every interface (issue 11, item 2): the JSON API (read, scoped
to the organisation), the CSV downloads and the checksheet workbook's actions sheet."""

import csv
import io
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from keiretsu.api.services import api_token_create
from keiretsu.conftest import client_for
from keiretsu.improvement import services
from keiretsu.improvement.models import Action

from .test_actions import plan_action, star3

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions(owner, meti_assessment, bob):
    items = star3(meti_assessment.edition, 4)
    first = plan_action(owner, meti_assessment, items[2:4], title="Asset list", owner=bob,
                        due_date=datetime.date(2025, 7, 1))
    second = plan_action(owner, meti_assessment, items[3:4], title="=HYPERLINK(\"http://evil.example\")",
                         due_date=datetime.date(2099, 1, 31), status=Action.Status.IN_PROGRESS)
    done = plan_action(owner, meti_assessment, items[:1], title="Backups", due_date=datetime.date(2025, 9, 1))
    services.action_update(membership=owner, actor=owner.user, action=done, status=Action.Status.DONE)
    return first, second, done


def api(client, name, *args, **query):
    return client.get(reverse(f"api:{name}", args=args), query)


def test_api_lists_every_action_sorted_by_what_closes_the_gap(owner, actions, alice):
    client = client_for(alice)
    data = api(client, "actions", owner.organisation_id).json()["actions"]
    assert [a["title"] for a in data] == ["Asset list", "=HYPERLINK(\"http://evil.example\")", "Backups"]
    first = data[0]
    assert first["closes_gap_items"] == 2 and first["overdue"] is True and first["owner"] == "bob@alpha.example"
    assert first["status"] == "planned" and first["due_date"] == "2025-07-01"
    assert data[2]["status"] == "done" and data[2]["closes_gap_items"] == 0
    open_only = api(client, "actions", owner.organisation_id, status="open").json()["actions"]
    assert [a["title"] for a in open_only] == ["Asset list", "=HYPERLINK(\"http://evil.example\")"]
    overdue = api(client, "actions", owner.organisation_id, due="overdue").json()["actions"]
    assert [a["title"] for a in overdue] == ["Asset list"]


def test_api_one_action_with_its_evidence(owner, actions, alice):
    from django.core.files.base import ContentFile

    first = actions[0]
    services.evidence_add(membership=owner, actor=owner.user, upload=ContentFile(b"asset list v1\n", name="assets.txt"),
                          action=first)
    data = api(client_for(alice), "action", owner.organisation_id, first.pk).json()
    assert data["id"] == first.pk and len(data["items"]) == 2
    assert [(e["name"], e["size"], e["deleted"]) for e in data["evidence"]] == [("assets.txt", 14, False)]


def test_api_with_a_token(owner, actions, alice):
    from django.test import Client

    _, token = api_token_create(user=alice, name="script")

    response = Client().get(reverse("api:actions", args=[owner.organisation_id]), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and len(response.json()["actions"]) == 3


def test_api_another_organisations_actions_and_targets_answer_404(owner, actions, beta, mallory):
    client = client_for(mallory)
    assert api(client, "actions", owner.organisation_id).status_code == 404
    assert api(client, "targets", owner.organisation_id).status_code == 404
    assert api(client, "action", owner.organisation_id, actions[0].pk).status_code == 404
    # Through Mallory's own organisation, Alpha's action is not there either.
    response = api(client, "action", beta.pk, actions[0].pk)
    assert response.status_code == 404 and response.json() == {"error": "not found"}
    assert api(client, "actions", beta.pk).json() == {"actions": []}


def test_api_refuses_anonymous_and_writes(owner, actions, alice):
    from django.test import Client

    assert Client().get(reverse("api:actions", args=[owner.organisation_id])).status_code == 401
    response = client_for(alice).post(reverse("api:actions", args=[owner.organisation_id]), {})
    assert response.status_code == 405 and Action.objects.count() == 3


def test_api_targets(owner, meti, alice):
    services.target_set(membership=owner, actor=alice, edition=meti, level="★4", target_date=datetime.date(2027, 3, 31))
    data = api(client_for(alice), "targets", owner.organisation_id).json()["targets"]
    meti_target = next(t for t in data if t["guideline"] == "meti-scs")
    assert meti_target == {"guideline": "meti-scs", "edition": meti.code, "level": "★4",
                           "target_date": "2027-03-31", "default": False}
    assert all(t["default"] for t in data if t["guideline"] != "meti-scs")


def test_api_actions_query_count_is_constant(owner, meti_assessment, alice):
    client = client_for(alice)
    url = reverse("api:actions", args=[owner.organisation_id])
    items = star3(meti_assessment.edition, 10)
    plan_action(owner, meti_assessment, items[:1])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 10):
        plan_action(owner, meti_assessment, items[n : n + 1], title=f"Action {n}")
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(url).json()["actions"]) == 10
    assert len(ten) == len(one)


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_targets_csv(owner, meti, alice, mallory):
    services.target_set(membership=owner, actor=alice, edition=meti, level="★4", target_date=datetime.date(2027, 3, 31))
    response = client_for(alice).get(reverse("improvement:targets_csv", args=[owner.organisation_id]))
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == ["ガイドライン", "ガイドラインの版", "目標レベル", "目標期日", "設定"]
    assert [meti.code, "★4", "2027-03-31", "自社で設定"] in [row[1:] for row in rows]
    assert client_for(mallory).get(reverse("improvement:targets_csv", args=[owner.organisation_id])).status_code == 404


def test_the_workbook_has_an_actions_sheet(owner, meti_assessment, actions, alice, mallory):
    url = reverse("interchange:checksheet_export", args=[owner.organisation_id, meti_assessment.pk])
    response = client_for(alice).get(url)
    book = load_workbook(io.BytesIO(response.content))
    assert "対策計画" in book.sheetnames
    assert book.active.title == book.sheetnames[1]  # still opens on the items
    sheet = book["対策計画"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["対策", "評価対象", "ガイドラインの版"]
    assert [row[0] for row in rows[1:]] == ["Asset list", "=HYPERLINK(\"http://evil.example\")", "Backups"]
    hostile = sheet.cell(3, 1)
    assert hostile.data_type == "s"  # text, never a formula
    assert client_for(mallory).get(url).status_code == 404
