from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from keiretsu.accounts.access import member_view
from keiretsu.lib.refusals import Refusal

from . import extensions, selectors, services
from .forms import AnswerForm, AssessmentCreateForm
from .models import Answer


@member_view
def dashboard(request, membership):
    entries = selectors.latest_assessments(membership)
    context = {"entries": entries, **extensions.contributions(extensions.DASHBOARD, membership, entries)}
    return render(request, "assessments/dashboard.html", context)


@member_view
def assessment_list(request, membership):
    assessments = selectors.assessments_of(membership).order_by("-fiscal_year", "scope__kind", "scope__name", "-revision")
    return render(request, "assessments/assessment_list.html", {"assessments": assessments})


@member_view
def assessment_create(request, membership):
    if not membership.can_answer:
        raise PermissionDenied
    form = AssessmentCreateForm(request.POST or None, organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(membership=membership, actor=request.user, **form.cleaned_data)
        except services.AlreadyExists as exc:
            messages.info(request, exc.message)
            return redirect(_detail_url(exc.existing))
        except services.AssessmentError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(_detail_url(assessment))
    return render(request, "assessments/assessment_create.html", {"form": form})


def _answer_form_context(membership, assessment):
    """What every item's answer form needs, computed once per page rather than once per item."""
    scale = assessment.edition.rating_scale
    if scale.requires_reason:
        reason_label = _("Reason (required for %(symbols)s)") % {"symbols": " ".join(sorted(scale.requires_reason))}
    else:
        reason_label = _("Reason")
    return {
        "assessment": assessment,
        "scale": scale,
        "rating_options": selectors.rating_options(assessment.edition),
        "reason_label": reason_label,
        # Each item's answer URL is this prefix + item id + "/".
        "answer_url": reverse("assessments:answer", args=[assessment.organisation_id, assessment.pk, 0])[:-2],
        "editable": membership.can_answer and not assessment.is_frozen,
    }


def _detail_url(assessment):
    return reverse("assessments:detail", args=[assessment.organisation_id, assessment.pk])


@vary_on_headers("HX-Request")
@member_view
def assessment_detail(request, membership, assessment_id):
    assessment = selectors.assessment_for(membership, assessment_id)
    checklist = selectors.checklist(assessment, request.GET)
    context = {
        **_answer_form_context(membership, assessment),
        "checklist": checklist,
        "scores": checklist.scores,
        "structure": checklist.structure,
        "next_query": request.GET.urlencode(),
        **extensions.contributions(extensions.CHECKLIST, membership, checklist),
        "approval_required": services.approval_required(membership.organisation_id),
        "catalogue_key": checklist.catalogue_key,
        "edition_url": reverse("catalogue:detail", args=[assessment.edition_id]),
    }
    template = "assessments/assessment_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#checklist"
    return render(request, template, context)


@require_POST
@member_view
def answer(request, membership, assessment_id, item_id=None):
    assessment = selectors.assessment_for(membership, assessment_id)
    if item_id is None:  # the checklist's one form: the save button pressed names its item
        item_id = request.POST.get("item", "")
        if not item_id.isdigit():
            raise Http404
    item = selectors.item_by_id(item_id)
    if item is None:
        raise Http404
    # The page without JavaScript posts all its rows as one form, each field named after its item.
    prefixed = any(f"{item.pk}-{name}" in request.POST for name in ("rating", "reason", "comment", "review_note"))
    form = AnswerForm(request.POST, prefix=str(item.pk) if prefixed else None)
    form.is_valid()  # only trims the fields; the rules are the service's
    data = form.cleaned_data
    error, status = "", 200
    saved = None
    try:
        saved = services.answer_save(
            membership=membership,
            actor=request.user,
            assessment=assessment,
            item=item,
            rating=data.get("rating", ""),
            reason=data.get("reason", ""),
            comment=data.get("comment", ""),
            # The yearly review's note, when the form has one (an answer carried over from last year).
            review_note=data.get("review_note", "") if form.add_prefix("review_note") in request.POST else None,
        )
    except services.AssessmentError as exc:
        error, status = exc.message, exc.status
    back = request.POST.get("next", "")
    back = back if back.startswith("?") else ""
    if not request.htmx and not error:
        return redirect(f"{_detail_url(assessment)}{back}#item-{item.pk}")

    assessment.refresh_from_db(fields=["status", "score_snapshot", "updated_at"])
    scored = selectors.assessment_scores(assessment, ratings_only=True)
    structure, scores = scored.structure, scored.scores
    # Refused: the form shows what the person typed (nothing stored changed), to correct and send again.
    if error:
        stored = Answer.objects.filter(assessment=assessment, item=item).first()
        shown = Answer(item=item, **{name: data.get(name, "") for name in ("rating", "reason", "comment", "review_note")})
        if stored is not None:
            shown.review_required, shown.reviewed_at = stored.review_required, stored.reviewed_at
    else:
        shown = saved.answer
    row = selectors.ChecklistRow(item, shown)
    if not request.htmx:
        context = {**_answer_form_context(membership, assessment), "row": row, "error": error, "next_query": back[1:]}
        return render(request, "assessments/answer_refused.html", context, status=status)
    context = {
        **_answer_form_context(membership, assessment),
        "row": row,
        "scores": scores,
        "structure": structure,
        "error": error,
        "saved": not error,
        "oob": True,
        **extensions.contributions(extensions.SCOREBOARD, membership, scored),
    }
    return render(request, "assessments/answer_saved.html", context, status=status)


@member_view
def assessment_submit(request, membership, assessment_id):
    assessment = selectors.assessment_for(membership, assessment_id)
    if request.method == "POST":
        try:
            services.assessment_submit(membership=membership, actor=request.user, assessment=assessment)
        except services.AssessmentError as exc:
            messages.error(request, exc.message)
            return redirect("assessments:submit", org_id=membership.organisation_id, assessment_id=assessment.pk)
        messages.success(request, _("The assessment has been submitted. It is now frozen."))
        return redirect(_detail_url(assessment))
    scored = selectors.assessment_scores(assessment)
    problems = [] if assessment.is_frozen else services.submission_problems(scored.structure, scored.answers)
    return render(
        request,
        "assessments/assessment_submit.html",
        {
            "assessment": assessment,
            "problems": problems,
            "scores": scored.scores,
            "structure": scored.structure,
            "approval_required": services.approval_required(membership.organisation_id),
        },
    )


@require_POST
@member_view
def assessment_approval(request, membership, assessment_id):
    """A step of the approval (docs/rules.md, "Approval"): ready, approve, or return with a comment."""
    assessment = selectors.assessment_for(membership, assessment_id)
    step = request.POST.get("step", "")
    steps = {
        "ready": (services.assessment_mark_ready, {}, _("The assessment has been marked ready for approval.")),
        "approve": (services.assessment_approve, {}, _("The assessment has been approved. An owner can now submit it.")),
        "return": (
            services.assessment_return,
            {"comment": request.POST.get("comment", "")},
            _("The assessment has been returned for rework with your comment."),
        ),
    }
    if step not in steps:
        raise Http404
    do, extra, done = steps[step]
    try:
        do(membership=membership, actor=request.user, assessment=assessment, **extra)
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    back = request.POST.get("next", "")
    if back == "submit":
        return redirect("assessments:submit", org_id=membership.organisation_id, assessment_id=assessment.pk)
    return redirect(_detail_url(assessment))


@member_view
def approval_policy(request, membership):
    """Whether the organisation's assessments need an owner's approval before submission."""
    if request.method == "POST":
        try:
            changed = services.approval_policy_set(
                membership=membership, actor=request.user, required=request.POST.get("required") == "1"
            )
        except Refusal as exc:
            messages.error(request, exc.message)
        else:
            if changed:
                messages.success(request, _("The approval step has been saved."))
        return redirect("assessments:approval_policy", org_id=membership.organisation_id)
    return render(
        request,
        "assessments/approval_policy.html",
        {"required": services.approval_required(membership.organisation_id)},
    )


@require_POST
@member_view
def assessment_revise(request, membership, assessment_id):
    assessment = selectors.assessment_for(membership, assessment_id)
    try:
        revision = services.assessment_revise(membership=membership, actor=request.user, assessment=assessment)
    except services.AlreadyExists as exc:
        messages.info(request, exc.message)
        return redirect(_detail_url(exc.existing))
    messages.success(request, _("Revision %(n)s has been started from the submitted answers.") % {"n": revision.revision})
    return redirect(_detail_url(revision))
