"""Files that are not plain checksheets get a clear answer, cost bounded memory and time, and
change nothing."""

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook

from keiretsu.assessments.models import Answer
from keiretsu.interchange import workbooks
from keiretsu.interchange.checksheet_export import export_checksheet
from keiretsu.interchange.models import ChecksheetImport
from keiretsu.interchange.selectors import assessment_data
from keiretsu.interchange.services import ImportRefused, checksheet_import_prepare
from keiretsu.interchange.workbooks import Workbook, WorkbookRefused

pytestmark = pytest.mark.django_db


def xlsx(build=None) -> bytes:
    book = OpenpyxlWorkbook()
    book.active["A1"] = "No."
    if build:
        build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The same zip with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def refusal(data: bytes, name="checksheet.xlsx") -> str:
    with pytest.raises(WorkbookRefused) as caught, Workbook(data, file_name=name) as book:
        for title in book.sheet_titles:
            book.grid(title, fill_merged=True)
    return caught.value.message


def test_a_plain_workbook_opens():
    with Workbook(xlsx(), file_name="ok.xlsx") as book:
        assert book.grid(book.sheet_titles[0]).rows == [("No.",)]


def test_not_an_excel_file_is_refused():
    assert "Excel ブック (.xlsx) ではありません" in refusal("No.,評価\n1,○\n".encode(), "answers.csv")
    assert "Excel ブック (.xlsx) ではありません" in refusal(b"%PDF-1.7\n...", "report.pdf")
    assert "ファイルが空です" in refusal(b"", "empty.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "Excel ブック (.xlsx) ではありません" in refusal(out.getvalue())


def test_macro_workbooks_are_refused_by_name_and_by_content():
    assert "マクロ有効ブック" in refusal(xlsx(), "checksheet.xlsm")
    content_types = zipfile.ZipFile(io.BytesIO(xlsx())).read("[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
    )
    macro = rezip(xlsx(), replace={"[Content_Types].xml": content_types}, add={"xl/vbaProject.bin": b"\x00" * 64})
    assert "マクロが含まれています" in refusal(macro, "renamed.xlsx")


def test_password_protected_and_old_xls_files_are_refused():
    ole = workbooks.OLE_MAGIC + b"\x00" * 504
    encrypted = ole + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512
    assert "パスワード" in refusal(encrypted)
    assert "97–2003 形式" in refusal(ole + "Workbook".encode("utf-16-le").ljust(600, b"\x00"), "old.xls")
    assert "97–2003 形式" in refusal(ole + "Book".encode("utf-16-le").ljust(600, b"\x00"), "older.xls")


def test_an_ole_file_without_a_workbook_stream_is_not_called_an_old_xls():
    # A header-only OLE container (or a Word document): not a workbook Keiretsu can read.
    message = refusal(workbooks.OLE_MAGIC + b"\x00" * 504, "header-only.xls")
    assert "97–2003" not in message
    assert "Keiretsu で読み込めるブックではありません" in message


def test_an_encrypted_zip_entry_is_refused():
    data = bytearray(xlsx())
    # Set the "encrypted" flag of the first local header and of its central directory entry.
    data[6] |= 0x1
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1
    assert "パスワード" in refusal(bytes(data))


def test_a_file_over_the_size_limit_is_refused_before_reading(settings):
    settings.INTERCHANGE_MAX_UPLOAD_BYTES = 1000
    message = refusal(b"PK\x03\x04" + b"\x00" * 5000)
    assert "ファイルが大きすぎます" in message
    with pytest.raises(WorkbookRefused, match="大きすぎます"):
        workbooks.read_limited(io.BytesIO(b"x" * 5000))
    with pytest.raises(WorkbookRefused, match="大きすぎます"):
        workbooks.read_limited(io.BytesIO(b""), size=10_000_000)


def test_the_size_limit_is_20_mb_by_default(settings):
    assert settings.INTERCHANGE_MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_a_zip_bomb_is_refused_in_bounded_memory_and_time():
    bomb_part = b"<row/>" * (30 * 1024 * 1024 // 6)  # 30 MB of XML that zips to ~30 KB
    bomb = rezip(xlsx(), replace={"xl/worksheets/sheet1.xml": bomb_part})
    del bomb_part
    assert len(bomb) < 200_000
    tracemalloc.start()
    started = time.perf_counter()
    message = refusal(bomb)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "zip 爆弾" in message
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024  # nothing was decompressed


def test_a_zip_that_lies_about_its_sizes_is_read_no_further_than_declared():
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(1, 150_001))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{rows}</sheetData></worksheet>"
    ).encode()
    assert len(sheet) > 8_000_000
    data = bytearray(rezip(xlsx(), replace={"xl/worksheets/sheet1.xml": sheet}))
    # Declare the 8 MB sheet as 100 bytes in the zip directory.
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(data[central + 28:central + 30], "little")
        if bytes(data[central + 46:central + 46 + name_length]) == b"xl/worksheets/sheet1.xml":
            data[central + 24:central + 28] = (100).to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    tracemalloc.start()
    message = refusal(bytes(data))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "壊れているか" in message
    assert peak < 5 * 1024 * 1024


def sheet_xml(cells: str, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{cells}</sheetData></worksheet>"
    ).encode()


def with_sheet(cells: str, dimension: str = "") -> bytes:
    return rezip(xlsx(), replace={"xl/worksheets/sheet1.xml": sheet_xml(cells, dimension)})


def inline(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def test_a_sheet_of_absurd_dimensions_is_refused_in_bounded_time():
    def far_cell(book):
        sheet = book.active
        sheet["XFD1048576"] = "far away"
        sheet["B2"] = "評価"

    started = time.perf_counter()
    message = refusal(xlsx(far_cell))
    assert time.perf_counter() - started < 2.0
    assert "「Sheet」" in message and "5,000 行" in message and "64 列" in message


def test_a_declared_dimension_past_the_bounds_is_refused_even_when_the_cells_are_few():
    message = refusal(with_sheet(f'<row r="1">{inline("A1", "No.")}</row>', dimension="A1:XFD1048576"))
    assert "「Sheet」" in message and "XFD1048576" in message


@pytest.mark.parametrize("row", [workbooks.MAX_ROWS + 1, workbooks.MAX_ROWS + 2, 9_000])
def test_a_row_past_the_bound_is_refused_wherever_it_is(row):
    cells = f'<row r="1">{inline("A1", "No.")}</row><row r="{row}">{inline(f"A{row}", "1")}{inline(f"B{row}", "○")}</row>'
    message = refusal(with_sheet(cells))
    assert "5,000 行" in message and f"{row:,}" in message


def test_a_value_in_column_65_is_refused_not_dropped():
    cells = f'<row r="1">{inline("A1", "No.")}{inline("BM1", "○")}</row>'
    message = refusal(with_sheet(cells))
    assert "64 列" in message and "BM1" in message


def test_the_last_row_and_column_within_the_bounds_are_read():
    last = workbooks.MAX_ROWS
    cells = f'<row r="1">{inline("A1", "No.")}{inline("BL1", "end")}</row><row r="{last}">{inline(f"A{last}", "x")}</row>'
    with Workbook(with_sheet(cells, dimension=f"A1:BL{last}"), file_name="edge.xlsx") as book:
        grid = book.grid(book.sheet_titles[0])
    assert grid.value(1, 64) == "end" and grid.value(last, 1) == "x"


def test_a_sheet_with_too_many_rows_is_refused():
    def many_rows(book):
        for n in range(workbooks.MAX_ROWS + 10):
            book.active.append([n + 1, "○"])

    assert "5,000 行" in refusal(xlsx(many_rows))


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def with_doctype(part: bytes, root: bytes, doctype: bytes) -> bytes:
    return part.replace(b"<" + root, doctype + b"<" + root, 1)


@pytest.mark.parametrize("part,root", [
    ("xl/styles.xml", b"styleSheet"),
    ("xl/workbook.xml", b"workbook"),
    ("[Content_Types].xml", b"Types"),
])
def test_xml_entities_are_refused(part, root):
    original = zipfile.ZipFile(io.BytesIO(xlsx())).read(part)
    assert b"<" + root in original
    evil = with_doctype(original, root, LAUGHS)
    assert "実体宣言" in refusal(rezip(xlsx(), replace={part: evil}))


def test_an_external_entity_in_a_sheet_is_refused():
    sheet = zipfile.ZipFile(io.BytesIO(xlsx())).read("xl/worksheets/sheet1.xml")
    evil = sheet.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet', 1)
    assert "実体宣言" in refusal(rezip(xlsx(), replace={"xl/worksheets/sheet1.xml": evil}))


@pytest.mark.parametrize("name,data", [
    ("answers.csv", "No.,評価\n1,○\n".encode()),
    ("checksheet.xlsm", None),
    ("empty.xlsx", b""),
    ("bomb.xlsx", "bomb"),
])
def test_the_import_refuses_hostile_files_and_writes_nothing(factory_assessment, owner, name, data):
    if data is None:
        data = export_checksheet(assessment_data(factory_assessment))
    elif data == "bomb":
        data = rezip(xlsx(), replace={"xl/worksheets/sheet1.xml": b" " * (26 * 1024 * 1024)})
    before = list(Answer.objects.filter(assessment=factory_assessment).values_list("item_id", "rating", "reason", "comment"))
    with pytest.raises(ImportRefused) as caught:
        checksheet_import_prepare(membership=owner, actor=owner.user, assessment=factory_assessment, data=data, file_name=name)
    assert caught.value.problems and caught.value.problems[0].message
    assert not ChecksheetImport.objects.exists()
    after = list(Answer.objects.filter(assessment=factory_assessment).values_list("item_id", "rating", "reason", "comment"))
    assert after == before


# --- Past the bounds on every path: the web import, both commands; nothing is written --------


def with_cell(data: bytes, sheet: str | None, row: int, column: int, value) -> bytes:
    """The same workbook with one more cell (openpyxl keeps the rest as it was)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    (book[sheet] if sheet else book.active).cell(row, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_web_import_refuses_a_duplicate_item_number_on_row_9000(factory_assessment, owner):
    exported = export_checksheet(assessment_data(factory_assessment))
    data = with_cell(exported, "チェックシート", 9000, 1, "1")
    before = list(Answer.objects.filter(assessment=factory_assessment).values_list("item_id", "rating", "comment"))
    with pytest.raises(ImportRefused) as caught:
        checksheet_import_prepare(membership=owner, actor=owner.user, assessment=factory_assessment, data=data,
                                  file_name="checksheet.xlsx")
    message = caught.value.problems[0].message
    assert "「チェックシート」" in message and "5,000 行" in message and "9000" in message
    assert not ChecksheetImport.objects.exists()
    assert list(Answer.objects.filter(assessment=factory_assessment).values_list("item_id", "rating", "comment")) == before


def test_the_catalogue_command_refuses_a_rating_in_column_65(catalogue, tmp_path):
    from django.core.management import CommandError, call_command

    from keiretsu.catalogue.models import Edition

    from . import samples

    path = tmp_path / "official.xlsx"
    path.write_bytes(with_cell(samples.official_checksheet("plain"), None, 5, 65, "○"))
    with pytest.raises(CommandError, match="64 列"):
        call_command("catalogue", "import-xlsx", str(path), "--guideline", "jama-enterprise", "--edition", "2.3", "--yes")
    assert not Edition.objects.filter(guideline__slug="jama-enterprise").exists()


def test_the_folder_import_refuses_a_workbook_of_absurd_dimension(factory_assessment, owner, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    folder = tmp_path / "inbox"
    folder.mkdir()
    exported = export_checksheet(assessment_data(factory_assessment))
    (folder / "far.xlsx").write_bytes(with_cell(exported, "チェックシート", 1_048_576, 16_384, "far away"))
    before = list(Answer.objects.filter(assessment=factory_assessment).values_list("item_id", "rating", "comment"))
    with pytest.raises(CommandError, match="1 files were refused"):
        call_command("interchange", "import", str(folder), "--as", owner.user.email)
    out = capsys.readouterr().out
    assert "refused" in out and "「チェックシート」" in out and "5,000 行" in out
    assert list(Answer.objects.filter(assessment=factory_assessment).values_list("item_id", "rating", "comment")) == before
