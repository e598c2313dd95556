"""Japanese pages and documents read as Japanese: full-width sentence ends, no English left,
examples that pass their own checks, fields that take what people type."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from keiretsu.conftest import client_for
from keiretsu.interchange import official
from keiretsu.interchange.tests import samples
from keiretsu.lib import corporate_number

pytestmark = pytest.mark.django_db

JAPANESE = r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]"


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_imported_editions_source_note_and_label_titles_are_as_a_japanese_reader_expects(catalogue):
    items = [
        samples.SampleItem(**{**vars(item), "label": f"{samples.LABELS.index(item.label) + 1} {item.label}"})
        for item in samples.enterprise_items()
    ]
    with translation.override("en"):  # whoever imports it, the catalogue's text is Japanese
        preview = official.read_official_checksheet(
            samples.official_checksheet("plain", items),
            file_name="checksheet-v2.3.xlsx",
            guideline="jama-enterprise",
            edition="2.3",
        )
    assert not preview.problems, preview.problems
    source = preview.spec.edition["source"]
    assert source.startswith("公式チェックシート「checksheet-v2.3.xlsx」")
    words = re.sub(r"sha256 [0-9a-f]+…", "", source.replace("checksheet-v2.3.xlsx", ""))
    assert not re.search(r"[A-Za-z]{4,}", words), words
    sections = preview.spec.sections
    assert [(s.code, s.title) for s in sections[:3]] == [("1", "方針"), ("2", "規則"), ("3", "体制")]


def test_the_supplier_import_message_has_no_space_before_a_full_width_bracket(alpha, alice):
    number = corporate_number.with_check_digit("300000000001")
    data = f"会社名,法人番号,メールアドレス\r\n株式会社東海精機,{number},taro@tokai.example\r\n".encode()
    client = client_for(alice)
    preview = client.post(reverse("supplychain:supplier_import", args=[alpha.pk]), {"file": SimpleUploadedFile("s.csv", data)})
    response = client.post(preview["Location"] + "confirm/", follow=True)
    page = response.content.decode()
    assert "1 社を取り込みました（" in page
    assert not re.search(r"\s（", visible_text(page))


def test_the_example_row_on_the_supplier_import_page_passes_its_own_check(alpha, alice):
    page = client_for(alice).get(reverse("supplychain:supplier_import", args=[alpha.pk])).content.decode()
    [example] = re.findall(r"株式会社サンプル精機,(\d+),", page)
    assert corporate_number.is_valid(example)


def test_the_organisation_form_takes_a_corporate_number_typed_with_hyphens(alice):
    page = client_for(alice).get(reverse("accounts:organisation_create")).content.decode()
    [field] = re.findall(r'<input[^>]*name="corporate_number"[^>]*>', page)
    maxlength = re.search(r'maxlength="(\d+)"', field)
    assert maxlength is None or int(maxlength.group(1)) >= len("1-2345-6789-0123")


def test_select_boxes_offer_their_blank_choice_in_japanese(alice):
    page = client_for(alice).get(reverse("accounts:organisation_create")).content.decode()
    assert "<select" in page
    assert "Select an option" not in page
    assert "選択してください" in page


def test_a_corporate_number_typed_with_hyphens_registers_the_organisation(alice):
    from keiretsu.accounts.models import Organisation

    number = corporate_number.with_check_digit("700000000001")
    typed = f"{number[0]}-{number[1:5]}-{number[5:9]}-{number[9:]}"
    response = client_for(alice).post(
        reverse("accounts:organisation_create"),
        {
            "name": "ハイフン工業",
            "corporate_number": typed,
            "size_band": "small",
            "business_type": "parts",
            "tier": "1",
        },
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="ハイフン工業").corporate_number == number
