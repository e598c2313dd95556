"""Importing a filled checksheet: validate the whole file, show the changes, write them in one
transaction with the audit trail. Round trip: export then import gives the same answers."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from keiretsu.accounts.models import AuditEvent, Role
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer, AssessmentEvent
from keiretsu.conftest import add_member, make_user, membership_of
from keiretsu.interchange import services
from keiretsu.interchange.checksheet_export import METADATA_SHEET, export_checksheet
from keiretsu.interchange.models import ChecksheetImport, InterchangeEvent, PendingStatus
from keiretsu.interchange.selectors import assessment_data
from keiretsu.lib.refusals import NotFound

from . import samples
from .conftest import FY, answer

pytestmark = pytest.mark.django_db


def answers_of(assessment):
    return {
        number: (rating, reason, comment)
        for number, rating, reason, comment in Answer.objects.filter(assessment=assessment)
        .order_by("item__position")
        .values_list("item__number", "rating", "reason", "comment")
    }


def export(assessment):
    return export_checksheet(assessment_data(assessment))


def prepare(membership, assessment, data, name="filled.xlsx"):
    return services.checksheet_import_prepare(
        membership=membership, actor=membership.user, assessment=assessment, data=data, file_name=name
    )


def refused(membership, assessment, data) -> list:
    imports = list(ChecksheetImport.objects.values_list("pk", "status"))
    with pytest.raises(services.ImportRefused) as caught:
        prepare(membership, assessment, data)
    assert list(ChecksheetImport.objects.values_list("pk", "status")) == imports  # nothing kept
    return caught.value.problems


def edit(data: bytes, change) -> bytes:
    book = load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_unchanged_export_changes_nothing(factory_assessment, owner):
    pending = prepare(owner, factory_assessment, export(factory_assessment))
    assert pending.plan["counts"] == {"items": 63, "new": 0, "changed": 0, "cleared": 0, "text_only": 0, "unchanged": 63}
    assert pending.plan["changes"] == []


def test_a_filled_checksheet_shows_what_changes_then_writes_it_with_the_audit(factory_assessment, owner):
    before = answers_of(factory_assessment)
    filled = samples.fill_checksheet(export(factory_assessment), {
        "1": ("○", "", "体制図を2025年4月に改訂"),  # unchanged
        "2": ("○", "", ""),  # □ -> ○, reason removed
        "3": ("〇", "", "規程を制定済み"),  # alias of ○
        "4": ("", "", ""),  # － cleared
        "6": ("□", "予算待ち", ""),  # new
        "7": ("x", "", ""),  # new, alias of ×
        "5": ("△", "", "検討会を設置"),  # only the comment changes
    })
    pending = prepare(owner, factory_assessment, filled)
    assert pending.plan["counts"] == {"items": 63, "new": 2, "changed": 2, "cleared": 1, "text_only": 1, "unchanged": 57}
    plan = services.ImportPlan.from_dict(pending.plan)
    assert [(c.number, (c.before or {}).get("rating", ""), c.after["rating"]) for c in plan.rating_changes] == [
        ("2", "□", "○"), ("3", "×", "○"), ("4", "－", ""), ("6", "", "□"), ("7", "", "×"),
    ]
    assert answers_of(factory_assessment) == before  # nothing written before confirmation

    events_before = AuditEvent.objects.count()
    result = services.checksheet_import_apply(membership=owner, actor=owner.user, pending=pending)
    assert result.changed == 6
    after = answers_of(factory_assessment)
    assert after["2"] == ("○", "", "")
    assert after["3"] == ("○", "", "規程を制定済み")
    assert after["4"] == ("", "", "")
    assert after["5"] == ("△", "", "検討会を設置")
    assert after["6"] == ("□", "予算待ち", "")
    assert after["7"] == ("×", "", "")
    assert Answer.objects.get(assessment=factory_assessment, item__number="6").updated_by == owner.user

    events = AuditEvent.objects.order_by("pk")[events_before:]
    changed = [e for e in events if e.event == AssessmentEvent.ANSWER_CHANGED]
    assert len(changed) == 6
    six = next(e for e in changed if e.after["item"] == "6")
    assert six.before == {"item": "6"} and six.after == {"item": "6", "rating": "□", "reason": "予算待ち", "comment": ""}
    assert six.actor == owner.user and six.organisation == factory_assessment.organisation
    two = next(e for e in changed if e.after["item"] == "2")
    assert two.before == {"item": "2", "rating": "□", "reason": "来年度予算で対応予定", "comment": ""}
    [summary] = [e for e in events if e.event == InterchangeEvent.CHECKSHEET_IMPORTED]
    assert summary.after["answers_changed"] == 6 and summary.after["file"] == "filled.xlsx"
    assert summary.after["counts"]["new"] == 2
    pending.refresh_from_db()
    assert pending.status == PendingStatus.APPLIED

    with pytest.raises(services.ImportOutdated):
        services.checksheet_import_apply(membership=owner, actor=owner.user, pending=pending)


def test_round_trip_into_another_assessment_gives_the_same_answers(factory_assessment, owner, catalogue, alpha_factory):
    answer(owner, factory_assessment, "8", "○", comment="@mention and\ntwo lines")
    answer(owner, factory_assessment, "9", "○", comment="-なし", reason="")
    answer(owner, factory_assessment, "10", "□", reason="+81 への問い合わせ待ち")
    next_year = assessment_services.assessment_create(
        membership=owner, actor=owner.user, scope=alpha_factory, edition=catalogue["jama-factory"], fiscal_year=FY + 1
    )
    data = export(factory_assessment)
    pending = prepare(owner, next_year, data)
    assert pending.plan["warnings"] == [
        f"このファイルは別の自己評価 (Hamamatsu、{FY}年度、改訂 1) から出力されたものです。ここに取り込むファイルで間違いないか確認してください。"
    ]
    services.checksheet_import_apply(membership=owner, actor=owner.user, pending=pending)
    assert answers_of(next_year) == answers_of(factory_assessment)
    # And back: the second export imports into the first as "no change".
    assert prepare(owner, factory_assessment, export(next_year)).plan["changes"] == []


def test_round_trip_with_the_enterprise_scale(enterprise_assessment, owner):
    items = list(enterprise_assessment.edition.items.order_by("position"))
    ratings = {}
    for index, item in enumerate(items):
        ratings[item.number] = (["○", "×", "－", "o", "X", "N/A", "未達成"][index % 7], "", f"=根拠{index}" if index % 11 == 0 else "")
    filled = samples.fill_checksheet(export(enterprise_assessment), ratings)
    pending = prepare(owner, enterprise_assessment, filled)
    assert pending.plan["counts"]["new"] == 153
    services.checksheet_import_apply(membership=owner, actor=owner.user, pending=pending)
    stored = answers_of(enterprise_assessment)
    assert {v[0] for v in stored.values()} == {"○", "×", "－"}
    assert stored[items[0].number] == ("○", "", "=根拠0")
    assert stored[items[3].number][0] == "○"  # "o"
    assert stored[items[6].number][0] == "×"  # "未達成"
    assert prepare(owner, enterprise_assessment, export(enterprise_assessment)).plan["changes"] == []


def test_every_problem_is_listed_with_its_sheet_row_and_column(factory_assessment, owner):
    def spoil(book):
        sheet = book["チェックシート"]
        sheet["H2"] = "◎"  # No.1: not a rating
        sheet["H3"] = "□"  # No.2: □ ...
        sheet["I3"] = None  # ... without a reason
        sheet["A4"] = 99  # No.3 -> an unknown number (No.3 is then missing)
        sheet["A5"] = 1  # No.4 -> No.1 again
        sheet["J6"] = "長" * 4001  # No.5: comment too long
        sheet["A7"] = None  # No.6: an answer without a number
        sheet["H7"] = "○"

    problems = refused(owner, factory_assessment, edit(export(factory_assessment), spoil))
    where = [(p.sheet, p.row, p.column) for p in problems]
    assert where == [
        ("チェックシート", 2, "H"),
        ("チェックシート", 3, "I"),
        ("チェックシート", 4, "A"),
        ("チェックシート", 5, "A"),
        ("チェックシート", 6, "J"),
        ("チェックシート", 7, "A"),
        ("チェックシート", None, "A"),
    ]
    messages = [p.message for p in problems]
    assert messages[0] == "「◎」はこの版の評価記号ではありません。次のいずれかを選んでください: ○ □ △ × －"
    assert messages[1] == "No.2 の評価は □ で、理由が必要です。理由の列に書いてください。"
    assert messages[2].startswith("No.99 は")
    assert messages[3] == "No.1 が2回あります (2 行目にもあります)。"
    assert messages[4] == "文字数が多すぎます (4001 文字。4000 文字まで)。"
    assert messages[5] == "回答がありますが、項目の No. がありません。"
    assert messages[6] == "版の 3 項目がファイルにありません: No.3, No.4, No.6"
    assert str(problems[0]) == "シート「チェックシート」, 2 行目, H 列: " + messages[0]


def test_a_file_of_another_edition_is_refused(factory_assessment, owner, enterprise_assessment):
    problems = refused(owner, factory_assessment, export(enterprise_assessment))
    assert problems[0].message.startswith("このチェックシートは jama-enterprise 2.3 用ですが、この自己評価は jama-factory 0.9 です。")

    def other_text(book):
        book[METADATA_SHEET]["B4"] = "0" * 64  # edition_hash

    problems = refused(owner, factory_assessment, edit(export(factory_assessment), other_text))
    assert "文面が異なります" in problems[0].message


def test_a_checksheet_without_the_marker_is_matched_by_number_and_text(enterprise_assessment, owner):
    """An official checksheet filled by a supplier without an account: no hidden sheet."""
    items = samples.enterprise_items()
    filled = samples.fill_checksheet(samples.official_checksheet("plain", items), {i.number: ("○", "", "") for i in items})
    pending = prepare(owner, enterprise_assessment, filled)
    assert pending.plan["counts"]["new"] == 153
    assert pending.plan["warnings"] == ["このファイルにはどの版のものかの記録がないため、項目の番号と文面で照合しました。"]

    items[11].condition = "別の版の文面"
    problems = refused(owner, enterprise_assessment, samples.fill_checksheet(samples.official_checksheet("plain", items), {}))
    assert [(p.row, p.column) for p in problems] == [(13, "E")]
    assert problems[0].message == (
        "No.12 の文面が 自工会/部工会・サイバーセキュリティガイドライン エンタープライズ版 2.3版 と異なります。別の版のファイルのようです。"
    )


def test_a_moved_table_still_imports(factory_assessment, owner):
    def move(book):
        sheet = book["チェックシート"]
        sheet.insert_rows(1, 3)
        sheet["A1"] = "（社内回覧用）"
        sheet.move_range("H4:J67", cols=3)  # rating, reason, comment moved right

    moved = edit(samples.fill_checksheet(export(factory_assessment), {"6": ("○", "", "")}), move)
    pending = prepare(owner, factory_assessment, moved)
    assert pending.plan["counts"]["new"] == 1


def test_a_submitted_assessment_is_refused(factory_assessment, owner):
    for item in factory_assessment.edition.items.all():
        answer(owner, factory_assessment, item.number, "○")
    assessment_services.assessment_submit(membership=owner, actor=owner.user, assessment=factory_assessment)
    factory_assessment.refresh_from_db()
    problems = refused(owner, factory_assessment, export(factory_assessment))
    assert problems[0].message.startswith("この自己評価は提出済みのため変更できません。")


def test_a_submission_after_the_preview_refuses_the_import(factory_assessment, owner):
    pending = prepare(owner, factory_assessment, samples.fill_checksheet(export(factory_assessment), {"6": ("○", "", "")}))
    for item in factory_assessment.edition.items.all():
        answer(owner, factory_assessment, item.number, "○", reason="理由")
    assessment_services.assessment_submit(membership=owner, actor=owner.user, assessment=factory_assessment)
    with pytest.raises(assessment_services.AssessmentFrozen):
        services.checksheet_import_apply(membership=owner, actor=owner.user, pending=pending)


def test_an_answer_changed_after_the_preview_refuses_the_import(factory_assessment, owner):
    pending = prepare(owner, factory_assessment, samples.fill_checksheet(export(factory_assessment), {"6": ("○", "", "")}))
    answer(owner, factory_assessment, "7", "×")  # a colleague answers meanwhile
    before = answers_of(factory_assessment)
    with pytest.raises(services.ImportOutdated):
        services.checksheet_import_apply(membership=owner, actor=owner.user, pending=pending)
    assert answers_of(factory_assessment) == before


def test_viewers_cannot_import(factory_assessment, alpha, vera):
    viewer = membership_of(vera, alpha)
    with pytest.raises(PermissionDenied):
        prepare(viewer, factory_assessment, export(factory_assessment))


def test_an_assessor_can_import(factory_assessment, alpha, bob):
    assessor = membership_of(bob, alpha)
    pending = prepare(assessor, factory_assessment, samples.fill_checksheet(export(factory_assessment), {"6": ("○", "", "")}))
    services.checksheet_import_apply(membership=assessor, actor=bob, pending=pending)
    assert answers_of(factory_assessment)["6"] == ("○", "", "")


def test_a_new_upload_replaces_the_pending_preview(factory_assessment, owner):
    first = prepare(owner, factory_assessment, export(factory_assessment))
    second = prepare(owner, factory_assessment, export(factory_assessment))
    first.refresh_from_db()
    assert first.status == PendingStatus.DISCARDED and second.status == PendingStatus.PENDING


def test_the_import_belongs_to_the_organisation(factory_assessment, beta, mallory):
    other = membership_of(mallory, beta)
    with pytest.raises(NotFound):  # another organisation's assessment: 404, as the pages answer
        prepare(other, factory_assessment, export(factory_assessment))


def test_an_assessor_of_two_organisations_imports_only_where_the_assessment_is(factory_assessment, beta, bob):
    add_member(beta, make_user("x@beta.example"), Role.OWNER)
    add_member(beta, bob, Role.ASSESSOR)
    with pytest.raises(NotFound):
        prepare(membership_of(bob, beta), factory_assessment, export(factory_assessment))
