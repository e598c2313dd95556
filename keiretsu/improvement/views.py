from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keiretsu.accounts.access import member_view
from keiretsu.accounts.models import User
from keiretsu.assessments.selectors import assessment_for
from keiretsu.catalogue.models import Item
from keiretsu.catalogue.selectors import editions

from keiretsu.lib.spreadsheets import csv_response
from keiretsu.lib.uploads import bounded_upload

from . import exports, selectors, services, todo as todos
from .forms import ActionForm, EvidenceForm, TargetForm
from .models import Action


@member_view
def targets(request, membership):
    """Each edition's target; the owner changes one (POST with its edition)."""
    with_levels = [edition for edition in editions() if edition.level_codes]
    if request.method == "POST":
        return _target_edit(request, membership, with_levels)
    found = selectors.targets_for(membership, with_levels)
    rows = [found[edition.pk] for edition in with_levels if edition.pk in found]
    return render(request, "improvement/targets.html", {"rows": rows})


@member_view
def targets_csv(request, membership):
    """Each edition's target, as the page lists them."""
    with_levels = [edition for edition in editions() if edition.level_codes]
    found = selectors.targets_for(membership, with_levels)
    rows = [found[edition.pk] for edition in with_levels if edition.pk in found]
    return csv_response(exports.target_rows(rows), f"{membership.organisation.name}_targets.csv")


def _target_edit(request, membership, with_levels):
    edition = next((e for e in with_levels if str(e.pk) == request.POST.get("edition")), None)
    if edition is None:
        raise Http404
    form = TargetForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("improvement:targets", org_id=membership.organisation_id)
    try:
        services.target_set(membership=membership, actor=request.user, edition=edition, **form.cleaned_data)
    except services.ImprovementError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The target has been saved."))
    return redirect("improvement:targets", org_id=membership.organisation_id)


@member_view
def plan(request, membership):
    return render(request, "improvement/plan.html", {"plan": selectors.plan(membership, request.GET)})


@member_view
def plan_csv(request, membership):
    """The plan as filtered on the page, every action (not one page of it)."""
    plan = selectors.plan(membership, request.GET)
    return csv_response(exports.action_rows(plan.rows), f"{membership.organisation.name}_plan.csv")


def _action_fields(form, edition):
    """The form's values as the service takes them: items of the edition by number, the owner."""
    data = dict(form.cleaned_data)
    numbers = data.pop("items")
    items = list(Item.objects.filter(edition=edition, number__in=numbers))
    unknown = sorted(set(numbers) - {item.number for item in items})
    if unknown:
        raise services.InvalidPlan(
            _("This edition has no item %(numbers)s.") % {"numbers": ", ".join(f"No.{n}" for n in unknown[:10])}
        )
    owner_id = data.pop("owner")
    owner = User.objects.filter(pk=owner_id).first() if owner_id else None
    if owner_id and owner is None:
        raise services.InvalidPlan(_("The owner of an action must be a member of your organisation."))
    return {**data, "items": items, "owner": owner}


def _members(membership):
    from keiretsu.accounts.models import Membership

    return Membership.objects.filter(organisation=membership.organisation_id).select_related("user").order_by("user__name")


@member_view
def action_create(request, membership):
    chosen = request.GET.get("assessment") or request.POST.get("assessment")
    if not chosen:  # first choose what the action is for: a scope and an edition, by its assessment
        return render(request, "improvement/action_choose.html", {"assessments": selectors.plannable(membership)})
    assessment = assessment_for(membership, chosen)
    error = ""
    if request.method == "POST":
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                fields = _action_fields(form, assessment.edition)
                action = services.action_create(
                    membership=membership, actor=request.user, scope=assessment.scope, edition=assessment.edition, **fields
                )
            except services.ImprovementError as exc:
                error = exc.message
            else:
                messages.success(request, _("The action has been added to the plan."))
                return redirect("improvement:action", org_id=membership.organisation_id, action_id=action.pk)
    else:
        item = Item.objects.filter(pk=request.GET.get("item") or 0, edition=assessment.edition).first()
        today = timezone.localdate()
        form = ActionForm(initial={
            "items": item.number if item else "",
            "title": item.headline_words[:100] if item else "",
            "owner": request.user.pk,
            "start_date": today,
            "due_date": selectors.end_of_fiscal_year(today),
            "status": Action.Status.PLANNED,
        })
    return render(request, "improvement/action_form.html", {
        "form": form, "error": error, "assessment": assessment, "members": _members(membership),
        "statuses": Action.Status.choices, "action": None,
    }, status=400 if error else 200)


@member_view
def action(request, membership, action_id):
    action = selectors.action_for(membership, action_id)
    error = ""
    if request.method == "POST":
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                fields = _action_fields(form, action.edition)
                services.action_update(membership=membership, actor=request.user, action=action, **fields)
            except services.ImprovementError as exc:
                error = exc.message
            else:
                messages.success(request, _("The action has been saved."))
                return redirect("improvement:action", org_id=membership.organisation_id, action_id=action.pk)
    else:
        row = selectors.plan_rows(membership, [action], timezone.localdate())[0]
        form = ActionForm(initial={
            "title": action.title, "description": action.description,
            "items": ", ".join(item.number for item in row.items), "owner": action.owner_id,
            "start_date": action.start_date, "due_date": action.due_date, "status": action.status,
            "progress_note": action.progress_note,
        })
    checklist = selectors.latest_assessment_of(membership, action.scope_id, action.edition_id)
    return render(request, "improvement/action_form.html", {
        "evidence": selectors.evidence_of_action(action),
        "form": form, "error": error, "action": action, "members": _members(membership),
        "statuses": Action.Status.choices, "assessment": checklist,
        "checklist_url": reverse("assessments:detail", args=[membership.organisation_id, checklist.pk]) if checklist else "",
    }, status=400 if error else 200)


# --- Evidence files -------------------------------------------------------------------------------

def _add_evidence(request, membership, back, **on):
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("file", [_("Choose a file.")])))
        return redirect(back)
    try:
        evidence = services.evidence_add(membership=membership, actor=request.user, upload=form.cleaned_data["file"], **on)
    except services.ImprovementError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(name)s” is kept as evidence.") % {"name": evidence.name})
    return redirect(back)


@bounded_upload(EvidenceForm)
@require_http_methods(["GET", "POST"])
@member_view
def evidence_answer_add(request, membership, assessment_id, item_id):
    """An item's evidence files and actions (GET), and a new file for its answer (POST). Its own
    page: the checklist is one form without JavaScript and cannot hold an upload form per item."""
    assessment = assessment_for(membership, assessment_id)
    item = Item.objects.filter(pk=item_id, edition=assessment.edition_id).first()
    if item is None:
        raise Http404
    here = reverse("improvement:evidence_answer_add", args=[membership.organisation_id, assessment.pk, item.pk])
    if request.method == "POST":
        return _add_evidence(request, membership, here, assessment=assessment, item=item)
    return render(request, "improvement/item_evidence.html", {
        "membership": membership,
        "assessment": assessment,
        "item": item,
        "files": selectors.evidence_by_item(assessment.pk).get(item.pk, []),
        "actions": (actions := selectors.checklist_actions(membership, assessment).get(item.pk, [])),
        "row_actions": {"item": item, "actions": actions, "evidence": [], "rerate": False},
        "editable": membership.can_answer and not assessment.is_frozen,
        "upload_url": here if membership.can_answer and not assessment.is_frozen else "",
        "checklist_url": reverse("assessments:detail", args=[membership.organisation_id, assessment.pk]) + f"#item-{item.pk}",
    })


@bounded_upload(EvidenceForm)
@require_POST
@member_view
def evidence_action_add(request, membership, action_id):
    action = selectors.action_for(membership, action_id)
    back = reverse("improvement:action", args=[membership.organisation_id, action.pk])
    return _add_evidence(request, membership, back, action=action)


@member_view
def evidence_download(request, membership, evidence_id):
    """The file, as an attachment, never cached: to members, and to customers it is shared with in full."""
    evidence = selectors.evidence_for_download(membership, evidence_id)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name,
                            content_type=evidence.content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@member_view
def evidence_delete(request, membership, evidence_id):
    evidence = selectors.evidence_own(membership, evidence_id)
    if evidence.action_id:
        back = reverse("improvement:action", args=[membership.organisation_id, evidence.action_id])
    else:
        back = reverse("assessments:detail", args=[membership.organisation_id, evidence.assessment_id]) + f"#item-{evidence.item_id}"
    try:
        services.evidence_delete(membership=membership, actor=request.user, evidence=evidence)
    except services.ImprovementError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(name)s” has been deleted. The record of what it was stays.") % {"name": evidence.name})
    return redirect(back)


# --- Work shared among colleagues -----------------------------------------------------------------


@member_view
def todo(request, membership):
    """The member's to-dos: their sections' unanswered items and reviews, their actions due, the
    requests to answer, the approvals waiting for them."""
    mine = todos.todo(membership)
    request.todo_total = mine.total  # the menu's count, already known (context_processors.todo)
    return render(request, "improvement/todo.html", {"todo": mine})


@require_http_methods(["GET", "POST"])
@member_view
def assignments(request, membership, assessment_id):
    """Who answers each label of an assessment; the owner changes them (one select per label)."""
    assessment = assessment_for(membership, assessment_id)
    sheet = selectors.assignment_sheet(membership, assessment)
    if request.method == "POST":
        members = {str(m.user_id): m.user for m in sheet.members}
        changed, refused = 0, []
        for row in sheet.rows:
            field = f"section-{row.section.pk}"
            if field not in request.POST:
                continue
            value = request.POST[field]
            assignee = members.get(value) if value else None
            if value and assignee is None:
                # Not one of the members who answer (a viewer, someone else): the service says why.
                assignee = User.objects.filter(pk=value).first() if value.isdigit() else None
                if assignee is None:
                    refused.append(_("A section can only be assigned to a member of your organisation."))
                    continue
            if (row.assignee.pk if row.assignee else None) == (assignee.pk if assignee else None):
                continue
            try:
                changed += services.section_assign(
                    membership=membership, actor=request.user, assessment=assessment, section=row.section, assignee=assignee
                )
            except services.Refusal as exc:
                refused.append(f"{row.section.code} {row.section.display_title}: {exc.message}")
        for message in refused:
            messages.error(request, message)
        if changed:
            messages.success(request, _("The sections have been assigned."))
        return redirect("improvement:assignments", org_id=membership.organisation_id, assessment_id=assessment.pk)
    return render(request, "improvement/assignments.html", {"assessment": assessment, "sheet": sheet})
