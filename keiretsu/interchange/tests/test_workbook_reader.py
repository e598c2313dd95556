"""The streaming reader reads what Excel wrote, as openpyxl would read it (data only)."""

import datetime
import io
import zipfile

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook

from keiretsu.interchange.workbooks import Workbook
from keiretsu.lib.spreadsheets import put

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

PARTS = {
    "[Content_Types].xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>""",
    "_rels/.rels": """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>""",
    "xl/workbook.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<x:workbook xmlns:x="{MAIN}" xmlns:r="{REL}"><x:workbookPr/>
<x:bookViews><x:workbookView activeTab="1"/></x:bookViews>
<x:sheets><x:sheet name="表紙" sheetId="1" r:id="rId2" state="hidden"/><x:sheet name="チェックシート" sheetId="2" r:id="rId1"/></x:sheets>
</x:workbook>""",
    "xl/_rels/workbook.xml.rels": """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://example.com/" TargetMode="External"/>
</Relationships>""",
    "xl/sharedStrings.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="{MAIN}" count="4" uniqueCount="4">
<si><t>No.</t></si>
<si><t>評価</t></si>
<si><r><rPr><b/></rPr><t>太字</t></r><r><t xml:space="preserve"> と普通</t></r></si>
<si><t>対策</t><rPh sb="0" eb="2"><t>タイサク</t></rPh><phoneticPr fontId="1"/></si>
</sst>""",
    "xl/styles.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/mm/dd"/></numFmts>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="57"/><xf numFmtId="2"/></cellXfs>
</styleSheet>""",
    "xl/worksheets/sheet1.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><dimension ref="A1:F4"/><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>
<row r="3"><c r="A3"><v>12</v></c><c r="B3" t="inlineStr"><is><t>○</t></is></c><c r="C3" s="1"><v>45748</v></c>
  <c r="D3" s="2"><v>45748.5</v></c><c r="E3" t="b"><v>1</v></c><c r="F3" s="4"><v>1.50</v></c></row>
<row r="4"><c r="A4"><f>A3+1</f><v>13</v></c><c r="B4" t="str"><f>"×"</f><v>×</v></c><c r="C4" t="e"><v>#N/A</v></c>
  <c r="D4" s="3"><v>45748</v></c><c r="E4" t="inlineStr"><is><r><t>リッチ</t></r><r><t>テキスト</t></r><rPh><t>ヨミ</t></rPh></is></c><c r="F4"><v>2.5E3</v></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="E3:F3"/></mergeCells></worksheet>""",
    "xl/worksheets/sheet2.xml": f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row><c t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>""",
}


def package(parts=PARTS) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode())
    return out.getvalue()


def test_sheets_states_and_the_sheet_the_workbook_opens_on():
    with Workbook(package(), file_name="x.xlsx") as book:
        assert book.sheet_titles == ["表紙", "チェックシート"]
        assert book.sheet_state("表紙") == "hidden" and book.sheet_state("チェックシート") == "visible"
        assert book.active_first == ["チェックシート", "表紙"]


def test_values_of_every_kind():
    with Workbook(package(), file_name="x.xlsx") as book:
        grid = book.grid("チェックシート")
        cover = book.grid("表紙")
    assert grid.rows[0] == ("No.", "評価", "太字 と普通", "対策")  # rich runs joined, phonetic guide left out
    assert grid.rows[1] == ()
    assert grid.rows[2] == (12, "○", datetime.datetime(2025, 4, 1), datetime.datetime(2025, 4, 1, 12), True, 1.5)
    assert grid.rows[3] == (13, "×", "#N/A", datetime.datetime(2025, 4, 1), "リッチテキスト", 2500.0)
    assert cover.rows == [(1, 2), ("x",)]  # cells and rows without references


def test_merged_ranges_are_read_when_asked():
    with Workbook(package(), file_name="x.xlsx") as book:
        assert book.grid("チェックシート").merged == []
        merged = book.grid("チェックシート", fill_merged=True)
    assert merged.merged == [(5, 3, 6, 3)]
    assert merged.rows[2][4:6] == (True, True)


def test_the_same_values_as_openpyxl_for_what_openpyxl_writes():
    source = OpenpyxlWorkbook()
    sheet = source.active
    sheet.append(["No.", "評価", "理由", "日付", "数"])
    sheet.append([1, "○", None, datetime.datetime(2025, 4, 1, 9, 30), 0.25])
    sheet.append([2, None, "改行\nあり", datetime.date(2026, 3, 31), -3])
    put(sheet["C2"], "=text that is not a formula")
    sheet.merge_cells("C3:D3")
    out = io.BytesIO()
    source.save(out)
    data = out.getvalue()

    def trimmed(row):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        return tuple(row)

    expected = [trimmed(row) for row in load_workbook(io.BytesIO(data), read_only=True, data_only=True).active.values]
    with Workbook(data, file_name="x.xlsx") as book:
        rows = book.grid(book.sheet_titles[0]).rows
    assert rows == expected
    assert rows[1] == (1, "○", "=text that is not a formula", datetime.datetime(2025, 4, 1, 9, 30), 0.25)
    assert rows[2][:3] == (2, None, "改行\nあり")
