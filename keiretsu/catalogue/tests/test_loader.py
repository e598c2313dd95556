"""Loading catalogue files: idempotent, immutable, and refusing bad files with file and line."""

import json
import textwrap
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from keiretsu.accounts.models import AuditEvent
from keiretsu.catalogue.loader import CatalogueError, parse_catalogue, parse_catalogue_text
from keiretsu.catalogue.models import CrossReference, Edition, Guideline, Item
from keiretsu.catalogue.services import DATA_DIR, catalogue_load_files, edition_load

GOOD = textwrap.dedent("""\
    format: 1
    guideline:
      id: test-guideline
      title: テストガイドライン
    edition:
      id: "1.0"
      title: テスト版
      assessed_per: company
    scale:
      symbols:
        - {symbol: ○, label: 実施済み}
        - {symbol: □, label: 見送り}
        - {symbol: ×, label: 未実施}
        - {symbol: －, label: 対象外}
      achieved: [○]
      examined: [○, □]
      not_applicable: [－]
      requires_reason: [□]
    levels:
      - {code: Lv1}
      - {code: Lv2}
    sections:
      - code: "1"
        title: 体制
        items:
          - no: 1
            level: Lv1
            condition: 体制を明確化している
            refs:
              jama-enterprise: [13, "15"]
          - no: 2
            level: Lv2
            condition: 定期的に見直している
""")


def write(tmp_path, text, name="test.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(text):
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue_text(text, file_name="bad.yaml")
    return caught.value.problems


def test_a_good_file_parses():
    spec = parse_catalogue_text(GOOD, file_name="good.yaml")
    assert spec.key == ("test-guideline", "1.0")
    assert [item.number for item in spec.items] == ["1", "2"]
    assert spec.items[0].refs == [("jama-enterprise", "13"), ("jama-enterprise", "15")]


def test_duplicate_item_numbers_are_refused_with_the_line():
    text = GOOD.replace("- no: 2", "- no: 1")
    problems = problems_of(text)
    assert problems == ["bad.yaml:31: item number '1' is used twice (first on line 26)"]


def test_unknown_level_is_refused_with_the_line():
    problems = problems_of(GOOD.replace("level: Lv2", "level: Lv4"))
    assert problems == ["bad.yaml:32: item 2: unknown level 'Lv4' (one of Lv1, Lv2)"]


def test_a_rating_symbol_not_in_the_scale_is_refused():
    problems = problems_of(GOOD.replace("achieved: [○]", "achieved: [◎]"))
    assert len(problems) == 1
    assert problems[0].startswith("bad.yaml:15: scale: achieved lists '◎', which is not one of the scale's symbols")


def test_missing_fields_are_refused():
    text = GOOD.replace("  title: テスト版\n", "").replace("        condition: 定期的に見直している\n", "")
    problems = problems_of(text)
    assert "bad.yaml:6: edition: missing field 'title'" in problems
    assert "bad.yaml:30: item 2: needs at least one of title, requirement, condition, criteria" in problems


def test_an_unknown_field_is_an_error_not_ignored():
    problems = problems_of(GOOD.replace("condition: 体制を明確化している", "conditon: 体制を明確化している"))
    assert "bad.yaml:28: unknown field 'conditon' in an item" in problems


def test_an_unquoted_decimal_edition_id_is_refused():
    problems = problems_of(GOOD.replace('id: "1.0"', "id: 1.0"))
    assert problems == ["bad.yaml:6: edition id 1.0 must be text: write it in quotes"]


def test_invalid_yaml_is_refused_with_the_line():
    problems = problems_of(GOOD + "  - [unclosed\n")
    assert problems[0].startswith("bad.yaml:") and "not valid YAML" in problems[0]


@pytest.mark.django_db
def test_loading_is_idempotent_and_audited(tmp_path):
    path = write(tmp_path, GOOD)
    first = catalogue_load_files([path])
    second = catalogue_load_files([path])
    assert first[0].created and not second[0].created
    assert Edition.objects.filter(guideline__slug="test-guideline").count() == 1
    assert Item.objects.filter(edition=first[0].edition).count() == 2
    assert CrossReference.objects.filter(item__edition=first[0].edition).count() == 2
    assert AuditEvent.objects.filter(event="catalogue.loaded", target_id=str(first[0].edition.pk)).count() == 1


@pytest.mark.django_db
def test_a_comment_is_not_a_change(tmp_path):
    catalogue_load_files([write(tmp_path, GOOD)])
    result = catalogue_load_files([write(tmp_path, "# a new comment\n" + GOOD, "again.yaml")])
    assert not result[0].created


@pytest.mark.django_db
def test_a_changed_file_under_a_loaded_edition_id_is_refused(tmp_path):
    original = catalogue_load_files([write(tmp_path, GOOD)])[0].edition
    changed = write(tmp_path, GOOD.replace("定期的に見直している", "毎年見直している"), "changed.yaml")
    with pytest.raises(CatalogueError) as caught:
        edition_load(spec=parse_catalogue(changed))
    assert "already loaded with different content" in caught.value.problems[0]
    assert "new edition id" in caught.value.problems[0]
    assert Item.objects.get(edition=original, number="2").condition == "定期的に見直している"


def test_one_bad_file_loads_nothing(tmp_path, no_catalogue):
    good = write(tmp_path, GOOD)
    bad = write(tmp_path, GOOD.replace("test-guideline", "other-guideline").replace("level: Lv2", "level: Lv9"), "bad.yaml")
    with pytest.raises(CatalogueError):
        catalogue_load_files([good, bad])
    assert not Guideline.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_with_file_and_line(tmp_path):
    bad = write(tmp_path, GOOD.replace("- no: 2", "- no: 1"), "dup.yaml")
    with pytest.raises(CommandError) as caught:
        call_command("catalogue", "load", str(bad))
    assert "Nothing was loaded" in str(caught.value)
    assert "dup.yaml:31: item number '1' is used twice" in str(caught.value)


@pytest.mark.django_db
def test_catalogue_list_json(catalogue):
    out = StringIO()
    call_command("catalogue", "list", "--json", stdout=out)
    editions = {(e["guideline"], e["edition"]): e for e in json.loads(out.getvalue())}
    factory = editions[("jama-factory", "0.9")]
    assert factory["items"] == 63
    assert factory["levels"] == {}
    assert len(factory["sections"]) == 17 and sum(factory["sections"].values()) == 63
    meti = editions[("meti-scs", "2026-03")]
    assert meti["items"] == 153
    assert meti["levels"] == {"★3": 81, "★4": 72}
    assert len(meti["sections"]) == 7
    assert editions[("jama-priority-items", "1.0")]["items"] == 8


def test_every_shipped_file_parses():
    for path in DATA_DIR.glob("*.yaml"):
        assert parse_catalogue(path).items
