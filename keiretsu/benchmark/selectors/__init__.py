"""Reads of the industry benchmark, scoped to who is asking.

Who sees what:
- a company (any member) sees the open rounds of the industry bodies, its own submissions,
  every *published* release, and its own results against a release;
- an industry body's members also see its rounds, the submissions it received (one by one:
  that is what the companies consented to) and its draft releases;
- nobody else sees a submission, and no one outside the body sees a draft.
Figures of a release come only from its stored statistics, where suppressed cells carry none.

Modules: lookups (rounds, submissions, releases, segment labels), release_view (the one
reader of a release's stored statistics), comparison (a company against a release). The
public names are importable from here.
"""

from .comparison import (
    Comparison,
    ComparisonDetail,
    ComparisonRow,
    FocusItem,
    OwnChange,
    SegmentComparison,
    build_comparison,
    comparison_for_assessment,
    percentile_position,
    release_for_assessment,
)
from .lookups import (
    DIMENSION_LABELS,
    comparable_assessments,
    current_releases,
    dimension_label,
    eligible_assessments,
    open_rounds,
    previous_release,
    published_release,
    published_releases,
    received_page,
    received_submission_detail,
    received_submission_for,
    received_submissions,
    release_for,
    releases_of_round,
    round_for_body,
    round_for_company,
    rounds_of_body,
    segment_label,
    submission_for,
    submissions_of,
    with_overall_percent,
)
from .means import IndustryMeans, industry_means
from .release_view import (
    Figure,
    GroupColumn,
    ItemRow,
    LevelChange,
    ReleaseView,
    SegmentTable,
    StatRow,
    StoredStatistics,
    group_cell,
    release_view,
)

__all__ = [
    "DIMENSION_LABELS",
    "Comparison",
    "ComparisonDetail",
    "ComparisonRow",
    "Figure",
    "FocusItem",
    "GroupColumn",
    "IndustryMeans",
    "ItemRow",
    "LevelChange",
    "OwnChange",
    "ReleaseView",
    "SegmentComparison",
    "SegmentTable",
    "StatRow",
    "StoredStatistics",
    "build_comparison",
    "comparable_assessments",
    "comparison_for_assessment",
    "current_releases",
    "dimension_label",
    "eligible_assessments",
    "group_cell",
    "industry_means",
    "open_rounds",
    "percentile_position",
    "previous_release",
    "published_release",
    "published_releases",
    "received_page",
    "received_submission_detail",
    "received_submission_for",
    "received_submissions",
    "release_for",
    "release_for_assessment",
    "release_view",
    "releases_of_round",
    "round_for_body",
    "round_for_company",
    "rounds_of_body",
    "segment_label",
    "submission_for",
    "submissions_of",
    "with_overall_percent",
]
