"""No page, CSV or API response shows a group of fewer than k companies, or one derivable by
subtraction, on hand-made data with small segments and a structural overlap.

The companies (k = 5):
    6  OEM, large, vehicle maker
    1  tier 1, large, vehicle maker      <- alone: "tier 1" minus "medium" would be this company
    8  tier 1, medium, parts maker
    3  tier 2, small, parts maker        <- a segment under k (tier 2, small)
"""

import csv
import io
import re

import pytest
from django.urls import reverse

from keiretsu.benchmark.disclosure import ALL, CellStatus, Protection
from keiretsu.conftest import client_for

from .conftest import company_with_submission, owner_membership, publish, recompute
from .test_disclosure import assert_no_small_group_derivable

K = 5
POPULATION = [
    (6, dict(tier=0, size="large", business_type="vehicle_maker"), "○○○○○○"),
    (1, dict(tier=1, size="large", business_type="vehicle_maker"), "××××××"),
    (8, dict(tier=1, size="medium", business_type="parts"), "○○○○××"),
    (3, dict(tier=2, size="small", business_type="parts"), "○×－×××"),
]
HIDDEN = {"tier:0", "tier:2", "size_band:small", "size_band:medium", "size_band:large"}
SHOWN = {"all", "tier:1", "business_type:vehicle_maker", "business_type:parts"}


@pytest.fixture
def release(round_, mini, body_membership):
    companies = []
    for count, segment, ratings in POPULATION:
        for index in range(count):
            name = f"{segment['business_type']} {segment['tier']} {segment['size']} {index}"
            companies.append(company_with_submission(name, round_, mini, ratings, **segment))
    release = publish(body_membership, recompute(body_membership, round_, mini))
    release.companies_list = companies
    return release


def atoms():
    return {(str(s["tier"]), s["size"], s["business_type"]): count for count, s, _ in POPULATION}


def test_the_small_and_the_derivable_segments_are_hidden(release):
    groups = release.statistics["groups"]
    assert {key for key, g in groups.items() if g["status"] == "published"} == SHOWN
    assert groups["tier:2"] == {"status": "below_k"}
    assert groups["size_band:small"] == {"status": "below_k"}
    # Tier 0 is hidden too, or "all - tier 0 - tier 1" would be tier 2. Every size band is
    # hidden: small is under k, and "tier 1 - medium" would be the lone large tier-1 company.
    for key in HIDDEN:
        assert set(groups[key]) == {"status"}, key


def every_cell(statistics):
    for key, group in statistics["groups"].items():
        if group["status"] != "published":
            continue
        for name in ("overall", "priority"):
            if name in group:
                yield key, (name,), group[name]
        for name in ("levels", "sections", "attained", "items"):
            for code, cell in group[name].items():
                yield key, (name, code), cell


def test_every_figure_covers_at_least_k_companies(release):
    for key, path, cell in every_cell(release.statistics):
        if cell["status"] == "published":
            assert cell["n"] >= K, (key, path)
        else:
            assert set(cell) == {"status"}, (key, path)


def test_no_combination_of_shown_figures_isolates_fewer_than_k(release):
    # For the counts and for every statistic: take the groups shown and check, over every set of
    # atoms, that none with 1..4 companies is a sum or difference of shown groups.
    statistics = release.statistics
    groups = {key: g for key, g in statistics["groups"].items()}
    key_of = {key: (ALL if key == "all" else tuple(key.split(":", 1))) for key in groups}
    shown = {
        key_of[key]: CellStatus.PUBLISHED if g["status"] == "published" else CellStatus(g["status"])
        for key, g in groups.items()
    }
    assert_no_small_group_derivable(atoms(), Protection(shown, {}), K)
    # Item 3 is not applicable for the three tier-2 companies: its contributors differ.
    item_atoms = {**atoms(), ("2", "small", "parts"): 0}
    item_shown = {
        key_of[key]: (
            CellStatus.PUBLISHED
            if g["status"] == "published" and g["items"]["3"]["status"] == "published"
            else CellStatus.COMPLEMENTARY
        )
        for key, g in groups.items()
    }
    assert_no_small_group_derivable(item_atoms, Protection(item_shown, {}), K)


def test_the_csv_has_no_figure_for_a_hidden_group(release):
    organisation = release.companies_list[0][0]
    client = client_for(owner_membership(organisation).user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("benchmark:release_csv", args=[organisation.pk, release.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    n_column = header.index("Companies (n)")
    labels = {
        "Tier 2": "hidden",
        "OEM": "hidden",
        "Small business (up to 20 employees)": "hidden",
        "Small or medium-sized enterprise": "hidden",
        "Large enterprise": "hidden",
    }
    seen_hidden = 0
    for row in body:
        numbers = row[n_column : n_column + 6]
        if row[6] in labels:
            seen_hidden += 1
            assert numbers == [""] * 6, row
            assert row[-1].startswith("suppressed"), row
        if row[n_column]:
            assert int(row[n_column]) >= K, row
    assert seen_hidden == 5  # one "Submissions" row each, and nothing else


def test_the_api_has_no_figure_for_a_hidden_group(release):
    organisation = release.companies_list[0][0]
    client = client_for(owner_membership(organisation).user)
    data = client.get(reverse("api:benchmark_release", args=[release.pk])).json()
    by_key = {group["key"]: group for group in data["groups"]}
    for key in HIDDEN:
        assert set(by_key[key]) == {"key", "dimension", "dimension_label", "value", "label", "status"}, key
    for group in data["groups"]:
        for name in ("overall", "levels", "sections", "items", "level_attained"):
            cells = group.get(name)
            if cells is None:
                continue
            for cell in [cells] if name == "overall" else cells.values():
                assert cell["status"] != "published" or cell["n"] >= K


def test_the_release_page_shows_no_figure_for_a_hidden_group(release):
    organisation = release.companies_list[0][0]
    client = client_for(owner_membership(organisation).user)
    response = client.get(reverse("benchmark:release", args=[organisation.pk, release.pk]))
    view = response.context["view"]
    for table in view.segments:
        for column, overall, levels, attained in table.rows:
            if column.key in HIDDEN:
                assert column.n is None
                assert overall.mean is None and all(f.mean is None for f in levels)
                assert all(f.share is None for f in attained)
    # The three tier-2 companies all rate ○×－×××: overall 1/5 = 20.0 %, Lv1 1/3 = 33.3 %.
    # Their row says why it is empty and holds no figure.
    client.cookies["django_language"] = "en"
    html = client.get(reverse("benchmark:release", args=[organisation.pk, release.pk])).content.decode()
    row = re.search(r"<tr><td>Tier 2</td>(.*?)</tr>", html, re.S).group(1)
    assert "fewer than 5 companies" in row
    assert not re.search(r"\d%", row)


def test_a_small_segment_company_is_compared_with_a_shown_segment_only(release):
    organisation, assessment, _submission = next(c for c in release.companies_list if c[0].tier == 2)
    client = client_for(owner_membership(organisation).user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("benchmark:comparison", args=[organisation.pk, assessment.pk]))
    detail = response.context["detail"]
    tier = next(s for s in detail.segments if s.dimension == "tier")
    assert (tier.status, tier.n, tier.overall, tier.by_level) == ("below_k", None, None, [None, None])
    assert detail.comparison.segment_label == "Parts manufacturer"  # the first of its segments that is shown
    assert detail.comparison.overall.segment is not None
    api = client.get(reverse("api:benchmark_comparison", args=[organisation.pk, assessment.pk])).json()
    assert api["comparison"]["segment_label"] == "Parts manufacturer"
