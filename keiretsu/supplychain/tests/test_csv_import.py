"""Supplier lists from CSV: Shift_JIS (cp932) or UTF-8 with or without BOM, validated whole."""

import pytest
from django.core import mail
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent
from keiretsu.conftest import client_for, membership_of
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.supplychain import services, supplier_csv
from keiretsu.supplychain.models import Criticality, Supplier, SupplierImport, SupplierInvitation

pytestmark = pytest.mark.django_db

A = with_check_digit("300000000001")
B = with_check_digit("300000000002")
C = with_check_digit("300000000003")
BAD = "1" + A[1:] if A[0] != "1" else "2" + A[1:]  # the right base digits, a wrong check digit

JAPANESE = (
    "会社名,法人番号,メールアドレス,重要度,備考\r\n"
    f"株式会社東海精機,{A},Taro@Tokai.example,高,ブレーキ部品\r\n"
    f"浜松プレス工業,{B},hanako@hama.example,低,\r\n"
)


def parse(data, existing=(), own=""):
    return supplier_csv.parse(data, existing_numbers=set(existing), own_number=own)


@pytest.mark.parametrize(
    "data, encoding",
    [
        (JAPANESE.encode("cp932"), "cp932"),
        (JAPANESE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + JAPANESE.encode("utf-8"), "utf-8-sig"),
    ],
)
def test_excel_encodings_are_read(data, encoding):
    result = parse(data)
    assert result.problems == []
    assert result.encoding == encoding
    first, second = result.rows
    assert (first.name, first.corporate_number, first.contact_email, first.criticality, first.note) == (
        "株式会社東海精機",
        A,
        "taro@tokai.example",
        Criticality.HIGH,
        "ブレーキ部品",
    )
    assert (second.name, second.criticality, second.language) == ("浜松プレス工業", Criticality.LOW, "ja")


def test_english_headers_in_any_order_and_full_width_digits():
    full_width = A.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    data = f"Contact e-mail,Criticality,Company name,Corporate number\nx@y.example,medium,Acme,{full_width[:4]}-{full_width[4:]}\n"
    (row,) = parse(data.encode()).rows
    assert (row.name, row.corporate_number, row.criticality) == ("Acme", A, Criticality.MEDIUM)


def test_every_problem_is_reported_by_row_and_column():
    data = (
        "会社名,法人番号,メールアドレス,重要度\n"
        f"Good,{A},a@a.example,高\n"
        f"Bad digit,{BAD},b@b.example,中\n"
        f",{C},,最高\n"
        "\n"  # a blank row keeps its number
        f"Twice,{A},c@c.example,低\n"
        f"Listed,{B},d@d.example,\n"
        "Short,12345,not-an-address,\n"
    )
    result = parse(data.encode("cp932"), existing={B})
    found = [(p.row, p.column, p.message) for p in result.problems]
    assert found == [
        (3, "corporate number", "The check digit is wrong: please check the number."),
        (4, "company name", "The company name is missing."),
        (4, "contact e-mail", "The contact e-mail address is missing."),
        (4, "criticality", "Write high, medium or low (高, 中 or 低)."),
        (6, "corporate number", "The same corporate number is on row 2 of this file."),
        (7, "corporate number", "This supplier is already on your list."),
        (8, "corporate number", "A corporate number has 13 digits."),
        (8, "contact e-mail", "This is not a valid e-mail address."),
    ]


def test_file_level_problems():
    assert "Missing: corporate number" in str(parse("会社名,メール\nA,a@a.example\n".encode("cp932")).problems[0])
    assert str(parse(b"").problems[0]) == "The file is empty."
    assert str(parse(b"\xff\xfe\x00\x00garbage\x81").problems[0]).startswith("The file could not be read")
    own = parse(f"name,corporate number,email\nMe,{A},m@m.example\n".encode(), own=A)
    assert own.problems[0].message == "This is your own organisation's corporate number."


def test_nothing_is_imported_unless_every_row_is_valid(alpha, alice):
    data = f"会社名,法人番号,メールアドレス\nGood,{A},a@a.example\nBad,{BAD},b@b.example\n".encode("cp932")
    with pytest.raises(services.SupplyChainError) as refused:
        services.suppliers_import(membership=membership_of(alice, alpha), actor=alice, data=data)
    assert [p.row for p in refused.value.problems] == [3]
    assert not Supplier.objects.exists()
    assert not SupplierInvitation.objects.exists()


def test_import_links_known_companies_and_invites_the_others(alpha, alice, beta, django_capture_on_commit_callbacks):
    data = (
        "会社名,法人番号,メールアドレス,重要度\n"
        f"ベータ自動車,{beta.corporate_number},m@beta.example,高\n"
        f"東海精機,{A},taro@tokai.example,中\n"
    ).encode("cp932")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.suppliers_import(membership=membership_of(alice, alpha), actor=alice, data=data)
    assert (len(result.suppliers), result.linked, result.invited) == (2, 1, 1)
    assert Supplier.objects.get(corporate_number=beta.corporate_number).organisation == beta
    assert [m.to for m in mail.outbox] == [["taro@tokai.example"]]
    assert AuditEvent.objects.filter(organisation=alpha, event="supplier.imported").count() == 2


def test_the_upload_page_lists_the_problems_and_keeps_nothing(alpha, alice):
    client = client_for(alice)
    data = f"会社名,法人番号,メールアドレス\nBad,{BAD},b@b.example\n".encode("cp932")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("supplychain:supplier_import", args=[alpha.pk]),
        {"file": SimpleUploadedFile("suppliers.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 400
    text = response.content.decode()
    # Row 2 (the header is row 1), the column, the problem: in Japanese, the default language.
    assert (
        '<td class="num">2</td><td>法人番号</td><td>法人番号のチェックデジットが合いません。番号をご確認ください。</td>'
        in text
    )
    assert not Supplier.objects.exists()


def test_the_upload_page_imports_a_valid_file(alpha, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"\xef\xbb\xbf" + f"company name,corporate number,email\nAcme,{A},a@acme.example\n".encode()
    client = client_for(alice)
    response = client.post(
        reverse("supplychain:supplier_import", args=[alpha.pk]), {"file": SimpleUploadedFile("s.csv", data)}
    )
    assert response.status_code == 302  # to the preview: nothing added yet
    assert not Supplier.objects.exists()
    preview = client.get(response["Location"])
    assert "1 件の招待をメールで送ります。" in preview.content.decode()
    confirm = reverse("supplychain:supplier_import_confirm", args=[alpha.pk, SupplierImport.objects.get().pk])
    assert client.post(confirm).status_code == 302
    assert Supplier.objects.get().name == "Acme"
    assert not SupplierImport.objects.exists()


def test_the_export_is_utf8_with_a_bom(alpha, alice):
    services.supplier_add(
        membership=membership_of(alice, alpha),
        actor=alice,
        name="株式会社東海精機",
        corporate_number=A,
        contact_email="taro@tokai.example",
        criticality=Criticality.HIGH,
    )
    response = client_for(alice).get(reverse("supplychain:supplier_export", args=[alpha.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content[3:].decode("utf-8").splitlines()
    assert lines[0].startswith("会社名,法人番号,担当者のメールアドレス,重要度,備考,年度,")
    assert lines[1].startswith(f"株式会社東海精機,{A},taro@tokai.example,高,,2026,,招待中,")  # not on Keiretsu yet


def test_the_supplier_list_as_excel_keeps_the_corporate_number_as_13_digits_of_text(alpha, alice):
    import io

    from openpyxl import load_workbook

    number = with_check_digit("601234567890")
    services.supplier_add(membership=membership_of(alice, alpha), actor=alice, name="株式会社東海精機",
                          corporate_number=number, contact_email="taro@tokai.example", criticality=Criticality.HIGH)
    response = client_for(alice).get(reverse("supplychain:supplier_export_xlsx", args=[alpha.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="suppliers-FY')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:5] == ["会社名", "法人番号", "担当者のメールアドレス", "重要度", "備考"]
    cell = sheet["B2"]
    assert cell.value == number and cell.data_type == "s" and cell.number_format == "@"
    assert sheet["A2"].value == "株式会社東海精機" and sheet["D2"].value == "高"
    page = client_for(alice).get(reverse("supplychain:suppliers", args=[alpha.pk])).content.decode()
    assert reverse("supplychain:supplier_export_xlsx", args=[alpha.pk]) in page
