"""The enterprise edition from the official checksheet, read by its headings in several shapes."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from keiretsu.accounts.models import AuditEvent
from keiretsu.catalogue.models import CatalogueEvent, Edition, Item, Section
from keiretsu.catalogue.selectors import related_items
from keiretsu.conftest import client_for, give_totp, make_user
from keiretsu.interchange import headings, official, services
from keiretsu.interchange.models import EditionImport, PendingStatus

from . import samples

pytestmark = pytest.mark.django_db

SHAPES = ["plain", "merged", "fullwidth", "headings"]
LOGIN = "/accounts/login/"


def read(data, edition="2.3", **options):
    return official.read_official_checksheet(data, file_name="check.xlsx", guideline="jama-enterprise", edition=edition, **options)


@pytest.mark.parametrize("value,number", [
    (12, "12"), (12.0, "12"), ("12", "12"), ("No.12", "12"), ("No12", "12"), ("NO. 12", "12"), ("no.12", "12"),
    ("１２", "12"), ("Ｎｏ．１２", "12"), ("№12", "12"), ("012", "12"), ("1-1", "1-1"), ("No.4-1-6-1", "4-1-6-1"),
    ("12.", "12"), (" 12 ", "12"),
])
def test_item_numbers_are_read_as_written(value, number):
    assert headings.item_number(value) == number


@pytest.mark.parametrize("value", [None, "", "方針", "No.", "12a", -3, 1.5, True])
def test_what_is_not_an_item_number(value):
    assert headings.item_number(value) is None


@pytest.mark.parametrize("value,level", [
    (1, "Lv1"), (2.0, "Lv2"), ("3", "Lv3"), ("Lv1", "Lv1"), ("LV1", "Lv1"), ("lv.2", "Lv2"), ("Lv.3", "Lv3"),
    ("レベル1", "Lv1"), ("レベル１", "Lv1"), ("Level 2", "Lv2"), ("ＬＶ３", "Lv3"), ("L2", "Lv2"),
])
def test_levels_are_normalised(value, level):
    assert headings.level_code(value, ("Lv1", "Lv2", "Lv3")) == level


@pytest.mark.parametrize("value", [None, "", 4, "Lv4", "高", "Lv1/Lv2", 1.5])
def test_what_is_not_a_level(value):
    assert headings.level_code(value, ("Lv1", "Lv2", "Lv3")) is None


@pytest.mark.parametrize("heading,field", [
    ("No.", "number"), ("項番", "number"), ("項目\nNo.", "number"), ("ラベル", "label"), ("目的", "purpose"),
    ("要求\n事項", "requirement"), ("達成条件", "condition"), ("達成 基準", "criteria"), ("評価基準", "criteria"),
    ("対象レベル", "level"), ("Lv", "level"), ("レベル", "level"), ("評価（○×－）", "rating"), ("回答", "rating"),
    ("評価理由", "reason"), ("コメント・根拠資料", "comment"), ("備考", "comment"), ("到達レベル", None), ("Notes", "comment"),
])
def test_headings_are_recognised(heading, field):
    assert headings.field_of(heading) == field


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_gives_the_same_153_items(catalogue, shape):
    preview = read(samples.official_checksheet(shape))
    assert preview.problems == []
    assert preview.total == 153
    assert preview.by_level == {"Lv1": 50, "Lv2": 74, "Lv3": 29}
    assert [label["title"] for label in preview.by_label] == samples.LABELS
    assert sum(label["count"] for label in preview.by_label) == 153
    assert len(preview.priority) == 19
    assert preview.level_disagreements == []
    items = {item.number: item for item in preview.spec.items}
    # Carried down: the second item of a label has the label's purpose and requirement.
    assert items["2"].texts["purpose"] == items["1"].texts["purpose"] == "方針に関するセキュリティを確保し、事業への影響を防ぐ"
    assert items["2"].texts["requirement"].startswith("方針について")
    assert items["10"].texts["criteria"] == "・方針の手順書がある\n・年1回以上見直している（項目10）"
    assert items["153"].level == samples.enterprise_levels()["153"]
    assert items["124"].priority and not items["125"].priority
    reference = samples.official_checksheet("plain")
    assert preview.spec.content_hash == read(reference).spec.content_hash


def test_the_preview_says_where_the_table_is(catalogue):
    merged = read(samples.official_checksheet("merged"))
    assert (merged.sheet, merged.header_row) == ("自己評価", 5)
    assert merged.columns["number"] == "No. (B)" and merged.columns["level"] == "対象レベル (F)"
    fullwidth = read(samples.official_checksheet("fullwidth"))
    assert (fullwidth.sheet, fullwidth.header_row) == ("チェックシート", 3)
    heading_rows = read(samples.official_checksheet("headings"))
    assert heading_rows.joined_rows == 1  # No.10's number cell spans two rows
    assert heading_rows.warnings == ["表にラベルの列がありません。項目の間に見出しの行があれば、それでまとめます。"]


def test_the_edition_is_created_like_any_other(catalogue):
    preview = read(samples.official_checksheet("merged"))
    pending = EditionImport.objects.create(
        file_name="x.xlsx", file_sha256=preview.sha256, guideline_slug="jama-enterprise", edition_code="2.3",
        spec=official.spec_to_dict(preview.spec), preview=preview.as_dict(),
    )
    admin = make_user("admin@keiretsu.example")
    admin.is_staff = True
    admin.save()
    result = services.edition_import_apply(actor=admin, pending=pending)
    edition = Edition.objects.select_related("guideline").get(guideline__slug="jama-enterprise", code="2.3")
    assert result.created and result.edition == edition
    assert edition.guideline.title == "自工会/部工会・サイバーセキュリティガイドライン"
    assert edition.title == "エンタープライズ版 2.3版" and edition.assessed_per == "company"
    assert edition.level_codes == ("Lv1", "Lv2", "Lv3")
    assert edition.rating_scale.codes == ("○", "×", "－")
    assert edition.rating_scale.normalise("〇") == "○" and edition.rating_scale.normalise("x") == "×"
    assert edition.rating_scale.normalise("N/A") == "－" and edition.rating_scale.normalise("対象外") == "－"
    assert Item.objects.filter(edition=edition).count() == 153
    assert Item.objects.filter(edition=edition, is_priority=True).count() == 19
    assert sorted(Item.objects.filter(edition=edition, is_priority=True).values_list("number", flat=True), key=int) == sorted(
        samples.PRIORITY, key=int
    )
    assert Section.objects.filter(edition=edition).count() == 15
    assert AuditEvent.objects.filter(event=CatalogueEvent.EDITION_LOADED, target_id=str(edition.pk), actor=admin).exists()
    pending.refresh_from_db()
    assert pending.status == PendingStatus.APPLIED and pending.edition == edition
    # METI's criteria now lead to the enterprise items they cite.
    meti = catalogue["meti-scs"]
    criterion = meti.items.get(number="1-1-1-1")
    related = related_items(meti, [criterion])[criterion.pk]
    assert {(r.edition, r.number) for r in related} >= {(edition, "9"), (edition, "10")}


def test_importing_the_same_checksheet_again_changes_nothing(enterprise):
    preview = read(samples.official_checksheet("fullwidth"))
    assert preview.state == "unchanged" and preview.problems == []


def test_a_different_checksheet_under_a_loaded_edition_id_is_refused(enterprise):
    items = samples.enterprise_items()
    items[0].condition = "改訂された文面"
    preview = read(samples.official_checksheet("plain", items))
    assert [p.message for p in preview.problems] == [
        "jama-enterprise の版 2.3 は、別の内容ですでに登録されています。登録した版は変更できません。別の版の番号で取り込んでください。"
    ]
    assert read(samples.official_checksheet("plain", items), edition="2.4").problems == []


def test_counts_other_than_the_published_ones_are_warned(catalogue):
    items = [item for item in samples.enterprise_items() if item.number != "153"]
    preview = read(samples.official_checksheet("plain", items))
    assert preview.total == 152
    assert preview.warnings == [(
        "チェックシートの項目は 152 (Lv1 50 + Lv2 73 + Lv3 29) ですが、公表されている版は 153 項目 (Lv1 50 + Lv2 74 + Lv3 29) です。"
        "公式チェックシートの全体か確認してください。"
    )]


def test_levels_that_disagree_with_meti_are_warned(catalogue):
    items = samples.enterprise_items()
    items[0].level = "Lv3"  # No.1 is Lv1 in METI's cross-reference
    items[35].level = "Lv2"  # No.36: METI cites it as Lv1 and Lv2, both accepted
    preview = read(samples.official_checksheet("plain", items))
    assert preview.level_disagreements == [{"number": "1", "level": "Lv3", "reference": "Lv1", "evidence": "standalone"}]
    assert "1 項目のレベルが経済産業省の対応表と異なります。下の一覧で確認してください。" in preview.warnings


def test_without_the_priority_items_guide_nothing_is_flagged(no_catalogue):
    preview = read(samples.official_checksheet("plain"))
    assert preview.priority == []
    assert any("「優先的に取り組むべき項目」のガイド (jama-priority-items) が登録されていない" in w for w in preview.warnings)


def test_problems_in_the_table_are_listed_with_their_place(catalogue):
    book = load_workbook(io.BytesIO(samples.official_checksheet("plain")))
    sheet = book.active
    sheet["G3"] = None  # No.2 without level
    sheet["G4"] = "高"  # No.3 with no level we know
    sheet["A5"] = 3  # No.3 twice
    sheet["A6"] = "その他"  # not a number, with text in the row
    for column in "CDEF":
        sheet[f"{column}7"] = None  # No.6 without any text
    out = io.BytesIO()
    book.save(out)
    preview = read(out.getvalue())
    assert [(p.row, p.column, p.message) for p in preview.problems] == [
        (5, "A", "No.3 が2回あります (4 行目にもあります)。"),
        (6, "A", "「その他」は項目の No. ではありません。"),
        (3, "G", "No.2 にレベルがありません。"),
        (4, "G", "「高」はレベルではありません。Lv1, Lv2, Lv3 (または 1、2、3) と書いてください。"),
        (7, "A", "No.6 に文面がありません。"),
    ]
    assert preview.spec is None


def test_a_sheet_without_the_headings_is_refused(catalogue):
    book = load_workbook(io.BytesIO(samples.official_checksheet("plain")))
    book.active["G1"] = "重要度"  # no level column any more
    out = io.BytesIO()
    book.save(out)
    [problem] = read(out.getvalue()).problems
    assert problem.message.startswith("見出しの行が見つかりません。")
    assert read(b"not a workbook").problems[0].message.startswith("Excel ブック (.xlsx) ではありません")


def test_an_unknown_guideline_is_refused():
    preview = official.read_official_checksheet(b"", file_name="x.xlsx", guideline="jama-unknown", edition="1")
    assert preview.problems[0].message == "ガイドライン「jama-unknown」には対応していません。対応しているのは jama-enterprise です。"


# --- The command line ---------------------------------------------------------------------


def write(tmp_path, data, name="checksheet.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_the_command_shows_the_preview_and_creates_the_edition(catalogue, tmp_path, capsys):
    path = write(tmp_path, samples.official_checksheet("merged"))
    call_command("catalogue", "import-xlsx", path, "--guideline", "jama-enterprise", "--edition", "2.3", "--dry-run")
    out = capsys.readouterr().out
    assert "153 items (Lv1 50, Lv2 74, Lv3 29) in 15 labels; 19 priority items" in out
    assert "  1 方針: 11 (Lv1:6 Lv2:5)" in out
    assert "Dry run: nothing was created." in out
    assert not Edition.objects.filter(guideline__slug="jama-enterprise").exists()

    with pytest.raises(CommandError, match="add --yes"):
        call_command("catalogue", "import-xlsx", path, "--guideline", "jama-enterprise", "--edition", "2.3")
    assert not Edition.objects.filter(guideline__slug="jama-enterprise").exists()

    call_command("catalogue", "import-xlsx", path, "--guideline", "jama-enterprise", "--edition", "2.3", "--yes",
                 "--published", "2025-09-01")
    assert "jama-enterprise 2.3: created (153 items)." in capsys.readouterr().out
    edition = Edition.objects.get(guideline__slug="jama-enterprise", code="2.3")
    assert str(edition.published) == "2025-09-01"

    call_command("catalogue", "import-xlsx", path, "--guideline", "jama-enterprise", "--edition", "2.3", "--yes",
                 "--published", "2025-09-01")
    assert "already loaded with this content; nothing to do." in capsys.readouterr().out


def test_the_command_refuses_a_bad_file_with_its_problems(catalogue, tmp_path):
    path = write(tmp_path, b"%PDF-1.4", "checksheet.pdf")
    with pytest.raises(CommandError, match="Nothing was created:\n  checksheet.pdf: Excel ブック"):
        call_command("catalogue", "import-xlsx", path, "--guideline", "jama-enterprise", "--edition", "2.3", "--yes")
    with pytest.raises(CommandError, match="No such file"):
        call_command("catalogue", "import-xlsx", str(tmp_path / "missing.xlsx"), "--guideline", "jama-enterprise", "--edition", "2.3")


# --- The web page, for instance administrators --------------------------------------------


@pytest.fixture
def admin(db):
    user = make_user("admin@keiretsu.example", "Admin")
    user.is_staff = True
    user.save()
    give_totp(user)  # staff must have a second factor
    return user


def upload(client, data, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"guideline": "jama-enterprise", "edition": "2.3", "title": "", "published": "", **fields,
            "file": SimpleUploadedFile("JAMA_checksheet_V2.3.xlsx", data)}
    return client.post("/catalogue/import/", form)


def test_an_administrator_previews_then_creates_the_edition(catalogue, admin, django_assert_max_num_queries):
    client = client_for(admin)
    assert client.get("/catalogue/import/").status_code == 200
    response = upload(client, samples.official_checksheet("fullwidth"))
    pending = EditionImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/catalogue/import/{pending.pk}/"
    assert not Edition.objects.filter(guideline__slug="jama-enterprise").exists()
    with django_assert_max_num_queries(8):
        page = client.get(response["Location"])
    text = page.content.decode()
    assert "エンタープライズ版 2.3版" in text
    assert 'id="edition-counts"' in text and "<strong>153</strong>" in text and "公表値 50" in text
    assert "達成\n基準 (F)" in text
    assert "版を作成する (153 項目)" in text
    response = client.post(response["Location"], {"action": "apply"})
    edition = Edition.objects.get(guideline__slug="jama-enterprise", code="2.3")
    assert response["Location"] == f"/catalogue/{edition.pk}/"
    assert edition.items.count() == 153


def test_the_preview_page_shows_warnings_and_disagreements(catalogue, admin):
    items = samples.enterprise_items()
    items[0].level = "Lv3"
    client = client_for(admin)
    response = upload(client, samples.official_checksheet("plain", items))
    page = client.get(response["Location"]).content.decode()
    assert "経済産業省の対応表とレベルが異なる項目" in page
    assert "<td>No.1</td><td>Lv3</td><td>Lv1</td>" in page


def test_a_bad_checksheet_is_shown_with_its_problems_and_nothing_is_kept(catalogue, admin):
    response = upload(client_for(admin), b"PK\x03\x04 broken")
    assert response.status_code == 400
    assert "ファイルが壊れているか" in response.content.decode()
    assert not EditionImport.objects.exists()


def test_discarding_creates_nothing(catalogue, admin):
    client = client_for(admin)
    response = upload(client, samples.official_checksheet("plain"))
    client.post(response["Location"], {"action": "discard"})
    assert EditionImport.objects.get().status == PendingStatus.DISCARDED
    assert not Edition.objects.filter(guideline__slug="jama-enterprise").exists()


def test_only_instance_administrators_see_the_pages(catalogue, admin, alice, bob, client):
    response = upload(client_for(admin), samples.official_checksheet("plain"))
    preview_url = response["Location"]
    for user in (alice, bob):
        member = client_for(user)
        assert member.get("/catalogue/import/").status_code == 404
        assert member.get(preview_url).status_code == 404
        assert member.post(preview_url, {"action": "apply"}).status_code == 404
        assert upload(member, samples.official_checksheet("plain")).status_code == 404
    for url in ("/catalogue/import/", preview_url):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not Edition.objects.filter(guideline__slug="jama-enterprise").exists()
