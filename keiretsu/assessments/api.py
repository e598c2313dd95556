"""JSON endpoints for assessments. Scores come from scoring.score(), as on the web page."""

from keiretsu.api.auth import ApiError, api_view, json_body
from keiretsu.catalogue.models import Item
from keiretsu.catalogue.selectors import edition_structure
from keiretsu.programme.scoring import Rate, ScoreSummary, percent

from . import selectors, services


def rate_json(rate: Rate) -> dict:
    return {
        **rate.as_dict(),
        "achievement_rate": _number(percent(rate.achievement)),
        "examined_rate": _number(percent(rate.examination)),
    }


def _number(value):
    # Percentages as JSON numbers with one decimal, null when undefined (no applicable item).
    return None if value is None else float(value)


def scores_json(scores: ScoreSummary) -> dict:
    return {
        "overall": rate_json(scores.overall),
        "by_level": {code: rate_json(rate) for code, rate in scores.by_level.items()},
        "by_section": {code: rate_json(rate) for code, rate in scores.by_section.items()},
        "priority": rate_json(scores.priority),
        "level_attained": scores.level_attained,
    }


def assessment_json(assessment, scores) -> dict:
    return {
        "id": assessment.pk,
        "scope": {"id": assessment.scope_id, "kind": assessment.scope.kind, "name": assessment.scope.display_name},
        "guideline": assessment.edition.guideline.slug,
        "edition": assessment.edition.code,
        "fiscal_year": assessment.fiscal_year,
        "revision": assessment.revision,
        "status": assessment.status,
        "submitted_at": assessment.submitted_at.isoformat() if assessment.submitted_at else None,
        "scores": scores_json(scores),
    }


@api_view()
def assessments(request, membership):
    entries = selectors.latest_assessments(membership)
    latest = {e.assessment.pk: e for e in entries}
    result = []
    for assessment in selectors.assessments_of(membership).order_by("-fiscal_year", "pk"):
        entry = latest.get(assessment.pk)
        if entry is None:
            structure = edition_structure(assessment.edition)
            answers = {a.item_id: a for a in assessment.answers.all()}
            scores = selectors.scores_of(assessment, structure, answers)
        else:
            scores = entry.scores
        result.append(assessment_json(assessment, scores))
    return {"assessments": result}


@api_view()
def assessment(request, membership, assessment_id):
    assessment = selectors.assessment_for(membership, assessment_id)
    structure = edition_structure(assessment.edition)
    answers = {a.item_id: a for a in assessment.answers.all()}
    data = assessment_json(assessment, selectors.scores_of(assessment, structure, answers))
    data["answers"] = [
        {
            "item": item.number,
            "rating": answers[item.pk].rating if item.pk in answers else "",
            "reason": answers[item.pk].reason if item.pk in answers else "",
            "comment": answers[item.pk].comment if item.pk in answers else "",
        }
        for item in structure.items
    ]
    return data


@api_view(methods=("PUT",))
def answer(request, membership, assessment_id, item_number):
    assessment = selectors.assessment_for(membership, assessment_id)
    item = Item.objects.filter(edition=assessment.edition_id, number=item_number).first()
    if item is None:
        raise ApiError(f"the edition has no item {item_number!r}", status=400)
    body = json_body(request)
    fields = {key: body.get(key, "") for key in ("rating", "reason", "comment")}
    if not all(isinstance(value, str) for value in fields.values()):
        raise ApiError("rating, reason and comment must be strings")
    saved = services.answer_save(membership=membership, actor=request.user, assessment=assessment, item=item, **fields)
    return {"item": item.number, "rating": saved.answer.rating, "reason": saved.answer.reason,
            "comment": saved.answer.comment, "changed": saved.changed}
