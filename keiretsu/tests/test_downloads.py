"""No CSV or workbook that Keiretsu writes contains a formula made of user text.

Every download URL of the project is walked with hostile values in every text field people
(or an imported catalogue) can fill: company, scope and supplier names, notes, answers'
reasons and comments, item texts. A CSV field that Excel would run (= + - @ tab CR) must be
quoted with an apostrophe; a workbook cell must be plain text with Excel's quote prefix."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import Scope
from keiretsu.assessments import services as assessment_services
from keiretsu.benchmark.tests.conftest import (  # noqa: F401 (fixtures)
    body,
    body_membership,
    company_with_submission,
    iris,
    mini_spec,
    publish,
    recompute,
    round_,
)
from keiretsu.catalogue.services import edition_load
from keiretsu.conftest import client_for, membership_of
from keiretsu.improvement import services as improvement_services
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.supplychain import services as supply_services
from keiretsu.tests.test_headers import concrete, every_route

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3", "\t=1+1", "\r=1+1"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_PARTS = ("HYPERLINK", "evil.example", "@SUM", "cmd|", "calc")


@pytest.fixture
def mini(db):
    spec = mini_spec()
    for index, item in enumerate(spec.items):
        item.texts = {**item.texts, "title": HOSTILE[index % len(HOSTILE)] + f" 項目{item.number}"}
    return edition_load(spec=spec).edition


@pytest.fixture
def hostile_world(catalogue, alpha, alice, round_, mini, body, body_membership):  # noqa: F811 (fixtures)
    membership = membership_of(alice, alpha)
    alpha.name = HOSTILE[0]
    alpha.save()
    factory = account_services.scope_create(
        membership=membership, actor=alice, kind=Scope.Kind.FACTORY, name=HOSTILE[1]
    )
    assessment = assessment_services.assessment_create(
        membership=membership, actor=alice, scope=factory, edition=catalogue["jama-factory"], fiscal_year=2025
    )
    for index, item in enumerate(assessment.edition.items.order_by("position")[:6]):
        assessment_services.answer_save(
            membership=membership,
            actor=alice,
            assessment=assessment,
            item=item,
            rating="□",
            reason=HOSTILE[index],
            comment=HOSTILE[-1 - index],
        )
    improvement_services.action_create(
        membership=membership, actor=alice, scope=factory, edition=assessment.edition,
        items=list(assessment.edition.items.order_by("position")[:2]), title=HOSTILE[2], owner=alice,
        due_date=datetime.date(2099, 3, 31), progress_note=HOSTILE[3],
    )
    for index, text in enumerate(HOSTILE):
        supply_services.supplier_add(
            membership=membership,
            actor=alice,
            name=f"{text}",
            corporate_number=with_check_digit(f"30000000{index:04d}"),
            contact_email=f"s{index}@supplier.example",
            note=HOSTILE[-1 - index],
        )
    for index in range(6):
        company_with_submission(
            f"Company {index}", round_, mini, "○×○○×○"[: mini.items.count()].ljust(mini.items.count(), "○")
        )
    release = publish(body_membership, recompute(body_membership, round_, mini))
    return {"org_id": alpha.pk, "assessment_id": assessment.pk, "release_id": release.pk, "body_id": body.pk}


def download_urls(world):
    for route, name in every_route():
        if route.endswith((".csv", ".xlsx", "csv/")) or "export" in (name or ""):
            values = dict(world)
            if "release" in route:
                values["org_id"] = world["body_id"]
            yield concrete(route, values), name


def check_csv(content: bytes, url):
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert len(rows) > 1, url
    for row in rows:
        for field in row:
            assert not field.startswith(FORMULA_STARTS), f"{url}: {field!r}"
    return sum(field.startswith("'") for row in rows for field in row)


def check_xlsx(content: bytes, url):
    book = load_workbook(io.BytesIO(content))
    guarded = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    # Keiretsu's own formulas (the offline workbook scores itself): none carries a
                    # person's text, whose hostile parts would show here.
                    assert not any(part in cell.value for part in HOSTILE_PARTS), (
                        f"{url}: {sheet.title}!{cell.coordinate} {cell.value!r}"
                    )
                    continue
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    assert cell.quotePrefix, f"{url}: {sheet.title}!{cell.coordinate} {cell.value!r}"
                    guarded += 1
    return guarded


def test_every_download_keeps_hostile_text_as_text(hostile_world, alice, iris):  # noqa: F811
    walked = {}
    for url, name in download_urls(hostile_world):
        client = client_for(iris if "benchmark" in url else alice)
        response = client.get(url)
        assert response.status_code == 200, url
        kind = response["Content-Type"]
        if kind.startswith("text/csv"):
            walked[name] = check_csv(response.content, url)
        elif "spreadsheetml" in kind:
            walked[name] = check_xlsx(response.content, url)
        else:
            pytest.fail(f"{url}: unexpected {kind}")
    expected = {
        "checksheet_export",
        "answers_csv",
        "scores_csv",
        "organisation_scores_csv",
        "supplier_export",
        "supplier_export_xlsx",
        "release_csv",
        "plan_csv",
    }
    assert expected <= set(walked), walked
    for name in expected - {"scores_csv"}:
        assert walked[name] > 0, f"{name}: no hostile value reached the file, so nothing was tested"
