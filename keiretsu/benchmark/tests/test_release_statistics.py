"""A release's statistics on hand-made submissions, to the digit, per segment, with suppression.

Items of the mini edition (see conftest): Lv1 = 1, 2, 4; Lv2 = 3, 5, 6; section A = 1, 2, 3;
section B = 4, 5, 6; priority = 1, 2. Ratings are written in item order.
"""

from keiretsu.benchmark.models import Submission

from .conftest import company_with_submission, recompute

SIX = ["○○○○○○", "○○×○××", "○×○○○－", "××××××", "○○○○×○", "○○－○○○"]


def cell(release, group, *path):
    value = release.statistics["groups"][group]
    for key in path:
        value = value[key]
    return value


def figures(c):
    return (c["n"], c["mean"], c["q1"], c["median"], c["q3"])


def test_six_companies_overall_levels_sections_priority(round_, mini, body_membership):
    for index, ratings in enumerate(SIX):
        company_with_submission(f"Company {index}", round_, mini, ratings)
    release = recompute(body_membership, round_, mini)

    assert cell(release, "all", "n") == 6
    # Overall rates 1, 1/2, 4/5, 0, 5/6, 1 (companies 3 and 6 have one item not applicable).
    assert figures(cell(release, "all", "overall")) == (6, "68.9", "57.5", "81.7", "95.8")
    # Lv1 rates 1, 1, 2/3, 0, 1, 1; Lv2 rates 1, 0, 1 (2/2), 0, 2/3, 1 (2/2).
    assert figures(cell(release, "all", "levels", "Lv1")) == (6, "77.8", "75.0", "100.0", "100.0")
    assert figures(cell(release, "all", "levels", "Lv2")) == (6, "61.1", "16.7", "83.3", "100.0")
    # A: 1, 2/3, 2/3, 0, 1, 1 (2/2);  B: 1, 1/3, 1 (2/2), 0, 2/3, 1.
    assert figures(cell(release, "all", "sections", "A")) == (6, "72.2", "66.7", "83.3", "100.0")
    assert figures(cell(release, "all", "sections", "B")) == (6, "66.7", "41.7", "83.3", "100.0")
    # Priority items 1 and 2: 1, 1, 1/2, 0, 1, 1.
    assert figures(cell(release, "all", "priority")) == (6, "75.0", "62.5", "100.0", "100.0")


def test_six_companies_levels_attained_and_items(round_, mini, body_membership):
    for index, ratings in enumerate(SIX):
        company_with_submission(f"Company {index}", round_, mini, ratings)
    release = recompute(body_membership, round_, mini)

    # Lv1 attained by companies 1, 2, 5, 6; Lv2 (every applicable Lv1 and Lv2 item) by 1 and 6.
    assert cell(release, "all", "attained", "Lv1") == {"status": "published", "n": 6, "share": "66.7"}
    assert cell(release, "all", "attained", "Lv2") == {"status": "published", "n": 6, "share": "33.3"}
    items = cell(release, "all", "items")
    assert items["1"] == {"status": "published", "n": 6, "share": "83.3"}  # 5 of 6
    assert items["5"] == {"status": "published", "n": 6, "share": "50.0"}  # 3 of 6
    # Item 3 is not applicable to company 6: 3 of the 5 for which it applies achieved it.
    assert items["3"] == {"status": "published", "n": 5, "share": "60.0"}
    assert release.companies == 6


TIER_1 = ["○○○○○○", "○○○○○×", "○○○○××", "○○○×××", "○○××××"]
TIER_2 = ["××××××", "○×××××", "○○××××", "○○○×××", "×××××○"]


def two_segments(round_, mini):
    for index, ratings in enumerate(TIER_1):
        company_with_submission(f"Tier one {index}", round_, mini, ratings, tier=1, size="medium")
    for index, ratings in enumerate(TIER_2):
        company_with_submission(f"Tier two {index}", round_, mini, ratings, tier=2, size="small")


def test_per_segment_figures(round_, mini, body_membership):
    two_segments(round_, mini)
    release = recompute(body_membership, round_, mini)

    # Tier 1: 1, 5/6, 2/3, 1/2, 1/3.  Tier 2: 0, 1/6, 1/3, 1/2, 1/6.
    assert figures(cell(release, "tier:1", "overall")) == (5, "66.7", "50.0", "66.7", "83.3")
    assert figures(cell(release, "tier:2", "overall")) == (5, "23.3", "16.7", "16.7", "33.3")
    # All ten: 0, 1/6, 1/6, 1/3, 1/3, 1/2, 1/2, 2/3, 5/6, 1: Q1 = 5/24, median = 5/12, Q3 = 5/8.
    assert figures(cell(release, "all", "overall")) == (10, "45.0", "20.8", "41.7", "62.5")
    # The size bands hold the same companies as the tiers here; the business type holds all.
    assert cell(release, "size_band:medium", "overall") == cell(release, "tier:1", "overall")
    assert cell(release, "business_type:parts", "overall") == cell(release, "all", "overall")
    # Lv1 of tier 1: 1, 1, 1, 2/3, 2/3.
    assert cell(release, "tier:1", "levels", "Lv1")["mean"] == "86.7"
    assert cell(release, "tier:1", "attained", "Lv1")["share"] == "60.0"
    assert cell(release, "tier:1", "attained", "Lv2")["share"] == "20.0"
    assert cell(release, "tier:2", "attained", "Lv1")["share"] == "0.0"
    assert cell(release, "tier:1", "items", "1")["share"] == "100.0"
    assert cell(release, "tier:2", "items", "1")["share"] == "60.0"
    assert cell(release, "tier:0", "status") == "empty"
    assert set(cell(release, "tier:0")) == {"status"}


def test_a_small_segment_and_its_complement_carry_no_figure(round_, mini, body_membership):
    for index in range(8):
        company_with_submission(f"Big {index}", round_, mini, TIER_1[index % 5], tier=1, size="medium")
    for index in range(3):
        company_with_submission(f"Small {index}", round_, mini, TIER_2[index], tier=2, size="small")
    release = recompute(body_membership, round_, mini)

    groups = release.statistics["groups"]
    assert groups["all"]["n"] == 11
    assert groups["tier:2"] == {"status": "below_k"}
    assert groups["tier:1"] == {"status": "complementary"}  # all - tier 1 would be tier 2
    assert groups["size_band:small"] == {"status": "below_k"}
    assert groups["size_band:medium"] == {"status": "complementary"}
    assert groups["business_type:parts"]["status"] == "published"  # the same eleven as all


def test_an_item_with_too_few_applicable_companies_is_hidden(round_, mini, body_membership):
    # Item 6 is not applicable to two of six companies: only 4 contributors, under k = 5.
    for index, ratings in enumerate(["○○○○○－", "○○○○○－", "○○○○○○", "○○○○○×", "××××××", "○○○○○○"]):
        company_with_submission(f"Company {index}", round_, mini, ratings)
    release = recompute(body_membership, round_, mini)
    assert cell(release, "all", "items", "6") == {"status": "below_k"}
    assert cell(release, "all", "items", "5")["status"] == "published"
    # The segment holding everybody is hidden for item 6 too.
    assert cell(release, "tier:1", "items", "6")["status"] != "published"


def test_the_minimum_group_size_is_a_setting(round_, mini, body_membership, settings):
    settings.BENCHMARK_MIN_GROUP_SIZE = 7
    for index, ratings in enumerate(SIX):
        company_with_submission(f"Company {index}", round_, mini, ratings)
    release = recompute(body_membership, round_, mini)
    assert release.min_group_size == 7
    assert release.statistics["groups"]["all"] == {"status": "below_k"}
    assert release.companies is None


def test_withdrawn_submissions_are_not_counted(round_, mini, body_membership):
    from keiretsu.benchmark import services

    from .conftest import owner_membership

    subs = [company_with_submission(f"Company {i}", round_, mini, r)[2] for i, r in enumerate(SIX)]
    organisation = subs[3].organisation
    services.submission_withdraw(membership=owner_membership(organisation), actor=None, submission=subs[3])
    release = recompute(body_membership, round_, mini)
    assert cell(release, "all", "n") == 5
    assert cell(release, "all", "overall")["mean"] == "82.7"  # (1 + 1/2 + 4/5 + 5/6 + 1) / 5 = 124/150
    assert set(release.submissions.values_list("pk", flat=True)) == {s.pk for s in subs} - {subs[3].pk}
    assert Submission.objects.get(pk=subs[3].pk).status == Submission.Status.WITHDRAWN
