"""JSON endpoints of the industry benchmark.

Published releases are readable by any signed-in caller (they are the industry's shared
figures); a company's comparison and submissions only by its members. Figures come from the
release's stored statistics, where a suppressed cell has a status and no figure, so nothing
here can show more than the release page does. Percentages are numbers with one decimal
(as in the assessments API); an undefined or suppressed figure is absent.
"""

from decimal import Decimal

from keiretsu.api.auth import ApiError, api_view
from keiretsu.assessments import selectors as assessment_selectors

from . import selectors
from .selectors import dimension_label, segment_label

PERCENT_KEYS = ("mean", "q1", "median", "q3", "share")


def _number(value):
    return None if value is None else float(Decimal(value))


def _cell(cell):
    if cell is None:
        return None
    return {key: (_number(value) if key in PERCENT_KEYS else value) for key, value in cell.items()}


def release_summary(release) -> dict:
    return {
        "id": release.pk,
        "fiscal_year": release.round.fiscal_year,
        "industry_body": release.round.body.name,
        "guideline": release.edition.guideline.slug,
        "edition": release.edition.code,
        "version": release.version,
        "published_at": release.published_at.isoformat() if release.published_at else None,
        "companies": release.companies,
        "min_group_size": release.min_group_size,
    }


def release_json(release) -> dict:
    data = selectors.StoredStatistics.of(release)
    groups = []
    for key in data.group_keys():
        dimension, _sep, value = key.partition(":")
        summary = data.group(key)
        group = {
            "key": key,
            "dimension": dimension,
            "dimension_label": dimension_label(dimension) if value else "",
            "value": value,
            "label": segment_label(dimension, value) if value else "",
            "status": summary.status,
        }
        cells = data.published_cells(key)
        if cells is not None:
            group.update(
                companies=summary.n,
                overall=_cell(cells["overall"]),
                levels={code: _cell(cell) for code, cell in cells["levels"].items()},
                sections={code: _cell(cell) for code, cell in cells["sections"].items()},
                level_attained={code: _cell(cell) for code, cell in cells["attained"].items()},
                items={number: _cell(cell) for number, cell in cells["items"].items()},
            )
            if "priority" in cells:
                group["priority"] = _cell(cells["priority"])
        groups.append(group)
    return {
        **release_summary(release),
        "quartile_method": data.quartile_method,
        "levels": data.levels,
        "sections": data.sections,
        "items": data.items,
        "groups": groups,
    }


@api_view(organisation=False)
def releases(request):
    return {"releases": [release_summary(release) for release in selectors.current_releases()]}


@api_view(organisation=False)
def release(request, release_id):
    return release_json(selectors.published_release(release_id))


def _row(row):
    return {
        "code": row.code,
        "title": row.title,
        "own": _number(row.own),
        "industry": _number(row.industry),
        "segment": _number(row.segment),
    }


@api_view()
def comparison(request, membership, assessment_id):
    assessment = assessment_selectors.assessment_for(membership, assessment_id)
    release_id = request.GET.get("release")
    if release_id:
        if not release_id.isdigit():
            raise ApiError("release must be a release id")
        release = selectors.published_release(release_id)
        if release.edition_id != assessment.edition_id:
            raise ApiError("the release is of another guideline edition than the assessment", status=400)
    else:
        release = selectors.release_for_assessment(assessment)
    if release is None:
        return {"assessment": assessment.pk, "release": None, "comparison": None}
    result = selectors.build_comparison(assessment, release).comparison
    return {
        "assessment": assessment.pk,
        "release": release_summary(release),
        "comparison": {
            "release_label": result.release_label,
            "segment_label": result.segment_label,
            "overall": _row(result.overall),
            "by_level": [_row(row) for row in result.by_level],
            "by_section": [_row(row) for row in result.by_section],
            "percentile": result.percentile,
            "focus_items": [
                {
                    "number": f.number,
                    "text": f.text,
                    "level": f.level,
                    "priority": f.priority,
                    "peers_achieved": _number(f.peers_achieved),
                }
                for f in result.focus_items
            ],
        },
    }


@api_view()
def submissions(request, membership):
    return {
        "submissions": [
            {
                "id": s.pk,
                "industry_body": s.round.body.name,
                "fiscal_year": s.round.fiscal_year,
                "guideline": s.edition.guideline.slug,
                "edition": s.edition.code,
                "assessment": s.assessment_id,
                "revision": s.assessment.revision,
                "status": s.status,
                "submitted_at": s.submitted_at.isoformat(),
                "withdrawn_at": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
                "counted_in_published_release": s.counted_in_published,
            }
            for s in selectors.submissions_of(membership).order_by("-submitted_at")
        ]
    }
