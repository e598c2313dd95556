"""Filled checksheets received by e-mail, ingested from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments.models import Answer, Assessment, AssessmentEvent
from keiretsu.conftest import make_organisation
from keiretsu.interchange.checksheet_export import METADATA_SHEET, export_checksheet
from keiretsu.interchange.models import InterchangeEvent
from keiretsu.interchange.selectors import assessment_data

from . import samples
from .conftest import FY

pytestmark = pytest.mark.django_db


def for_company(data: bytes, organisation, fiscal_year=FY) -> bytes:
    """The same checksheet as another company's (its hidden sheet names the company and year)."""
    book = load_workbook(io.BytesIO(data))
    meta = book[METADATA_SHEET]
    for row in meta.iter_rows():
        if row[0].value == "organisation":
            row[1].value = organisation.corporate_number
        if row[0].value == "organisation_name":
            row[1].value = organisation.name
        if row[0].value == "fiscal_year":
            row[1].value = fiscal_year
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def received(tmp_path, enterprise_assessment, alice):
    """A folder of checksheets sent by Alpha's group companies, all owned by Alice."""
    template = export_checksheet(assessment_data(enterprise_assessment))
    numbers = list(enterprise_assessment.edition.items.order_by("position").values_list("number", flat=True))
    complete = {n: ("○", "", "") for n in numbers}
    companies = [make_organisation(alice, f"Group company {i}", f"30000000000{i}") for i in range(1, 4)]
    folder = tmp_path / "inbox"
    folder.mkdir()
    for index, company in enumerate(companies):
        answers = dict(complete)
        answers[numbers[index]] = ("×", "", f"会社{index}のコメント")
        (folder / f"{index}-{company.name}.xlsx").write_bytes(samples.fill_checksheet(for_company(template, company), answers))
    (folder / "notes.txt").write_text("not a checksheet")
    return folder, companies


def test_a_folder_of_checksheets_is_ingested(received, alice, capsys):
    folder, companies = received
    call_command("interchange", "import", str(folder), "--as", alice.email)
    out = capsys.readouterr().out
    assert out.count("ok      ") == 3
    assert "3 of 3 files imported, 0 refused" in out
    for index, company in enumerate(companies):
        assessment = Assessment.objects.get(organisation=company, fiscal_year=FY)
        assert assessment.scope.kind == "company" and assessment.status == "draft"
        ratings = dict(Answer.objects.filter(assessment=assessment).values_list("item__number", "rating"))
        assert len(ratings) == 153 and list(ratings.values()).count("×") == 1
        assert AuditEvent.objects.filter(event=InterchangeEvent.CHECKSHEET_IMPORTED, target_id=str(assessment.pk)).count() == 1
        assert AuditEvent.objects.filter(event=AssessmentEvent.ANSWER_CHANGED, target_id=str(assessment.pk)).count() == 153
        assert AuditEvent.objects.filter(event=AssessmentEvent.CREATED, target_id=str(assessment.pk)).count() == 1

    # Received again: nothing changes.
    call_command("interchange", "import", str(folder), "--as", alice.email)
    assert "153 unchanged" in capsys.readouterr().out


def test_submit_and_dry_run(received, alice, capsys):
    folder, companies = received
    call_command("interchange", "import", str(folder), "--as", alice.email, "--submit", "--dry-run")
    assert "3 of 3 files checked (dry run, nothing written)" in capsys.readouterr().out
    assert not Assessment.objects.filter(organisation__in=companies).exists()
    call_command("interchange", "import", str(folder), "--as", alice.email, "--submit")
    assert Assessment.objects.filter(organisation__in=companies, status="submitted").count() == 3
    assert all(a.score_snapshot["by_level"]["Lv1"]["total"] == 50 for a in Assessment.objects.filter(organisation__in=companies))


def test_bad_files_are_refused_and_the_others_imported(received, alice, bob, capsys, tmp_path):
    folder, companies = received
    (folder / "9-broken.xlsx").write_bytes(b"PK\x03\x04 broken")
    stranger = make_organisation(bob, "Stranger Co", "400000000004")
    template = (folder / f"0-{companies[0].name}.xlsx").read_bytes()
    (folder / "8-stranger.xlsx").write_bytes(for_company(template, stranger))
    with pytest.raises(CommandError, match="2 files were refused"):
        call_command("interchange", "import", str(folder), "--as", alice.email)
    out = capsys.readouterr().out
    assert "refused " in out and "ファイルが壊れているか" in out
    assert "Alice は Stranger Co のメンバーではありません。" in out
    assert "3 of 5 files imported, 2 refused" in out
    assert Assessment.objects.filter(organisation__in=companies).count() == 3
    assert not Assessment.objects.filter(organisation=stranger).exists()


def test_a_file_with_problems_lists_them_and_changes_nothing(received, alice, capsys):
    folder, companies = received
    path = folder / f"0-{companies[0].name}.xlsx"
    book = load_workbook(io.BytesIO(path.read_bytes()))
    sheet = book["チェックシート"]
    assert sheet["I1"].value == "評価"
    sheet["I2"] = "◎"
    book.save(path)
    with pytest.raises(CommandError):
        call_command("interchange", "import", str(path), "--as", alice.email)
    out = capsys.readouterr().out
    assert "シート「チェックシート」, 2 行目, I 列: 「◎」はこの版の評価記号ではありません。" in out
    assert not Assessment.objects.filter(organisation=companies[0]).exists()


def test_a_viewer_cannot_ingest(received, vera, alpha, capsys):
    folder, companies = received
    from keiretsu.accounts.models import Role
    from keiretsu.conftest import add_member

    add_member(companies[0], vera, Role.VIEWER)
    with pytest.raises(CommandError):
        call_command("interchange", "import", str(folder / f"0-{companies[0].name}.xlsx"), "--as", vera.email)
    assert "refused " in capsys.readouterr().out
    assert not Assessment.objects.filter(organisation=companies[0]).exists()


def test_export_from_the_command_line(enterprise_assessment, alice, mallory, tmp_path, capsys):
    target = tmp_path / "out.xlsx"
    call_command("interchange", "export", str(enterprise_assessment.pk), "--as", alice.email, "-o", str(target))
    assert load_workbook(target)["チェックシート"].max_row == 154
    with pytest.raises(CommandError, match="No assessment"):
        call_command("interchange", "export", str(enterprise_assessment.pk), "--as", "mallory@beta.example", "-o", str(target))


def test_a_folder_of_macro_workbooks_says_they_are_not_accepted(tmp_path, alice, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "checksheet.xlsm").write_bytes(b"PK\x03\x04macro")
    with pytest.raises(CommandError, match="1 files were refused"):
        call_command("interchange", "import", str(folder), "--as", alice.email)
    out = capsys.readouterr().out
    assert "No .xlsx file found" not in out
    assert "checksheet.xlsm" in out and "マクロ有効ブック" in out and "受け付けていません" in out
