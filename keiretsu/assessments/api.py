"""JSON endpoints for assessments. Scores come from scoring.score(), as on the web page."""

from keiretsu.api.auth import ApiError, api_view, json_body
from keiretsu.catalogue.models import Item
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


def _review_json(answer):
    """The yearly review of a rating carried over from last year (None when none is required)."""
    if answer is None or not answer.review_required:
        return None
    return {
        "note": answer.review_note,
        "reviewed_at": answer.reviewed_at.isoformat() if answer.reviewed_at else None,
    }


@api_view()
def assessments(request, membership):
    assessments = list(selectors.assessments_of(membership).order_by("-fiscal_year", "pk"))
    scored = selectors.scored_assessments(assessments)  # a constant number of queries, however many
    return {"assessments": [assessment_json(a, scored[a.pk].scores) for a in assessments]}


@api_view()
def assessment(request, membership, assessment_id):
    assessment = selectors.assessment_for(membership, assessment_id)
    scored = selectors.assessment_scores(assessment)
    structure, answers = scored.structure, scored.answers
    data = assessment_json(assessment, scored.scores)
    data["answers"] = [
        {
            "item": item.number,
            "rating": answers[item.pk].rating if item.pk in answers else "",
            "reason": answers[item.pk].reason if item.pk in answers else "",
            "comment": answers[item.pk].comment if item.pk in answers else "",
            "review": _review_json(answers.get(item.pk)),
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
    if "review_note" in body:
        fields["review_note"] = body["review_note"]
    if not all(isinstance(value, str) for value in fields.values()):
        raise ApiError("rating, reason, comment and review_note must be strings")
    saved = services.answer_save(membership=membership, actor=request.user, assessment=assessment, item=item, **fields)
    return {"item": item.number, "rating": saved.answer.rating, "reason": saved.answer.reason,
            "comment": saved.answer.comment, "review": _review_json(saved.answer), "changed": saved.changed}
