import logging

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.tasks import TaskResultStatus
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keiretsu.accounts.access import member_view
from keiretsu.lib.confirm import confirmation
from keiretsu.assessments import selectors as assessment_selectors
from keiretsu.lib.refusals import Refusal

from . import charts, exports, selectors, services, tasks
from .forms import RecomputeForm, RoundForm, RoundUpdateForm, SubmitForm, VerifyForm
from .selectors import identity as identity_selectors

logger = logging.getLogger(__name__)


def _require_body(membership):
    """Pages of an industry body's own work: 404 for every other organisation."""
    if not membership.organisation.is_industry_body:
        raise Http404


@member_view
def home(request, membership):
    submissions = list(selectors.submissions_of(membership).order_by("-submitted_at"))
    active = {}
    for submission in submissions:
        if submission.is_active:
            active.setdefault(submission.round_id, []).append(submission)
    context = {
        "open_rounds": [(round, active.get(round.pk, [])) for round in selectors.open_rounds()],
        "submissions": submissions,
        "releases": list(selectors.current_releases()),
        "assessments": list(selectors.comparable_assessments(membership)[:10]),
        "body_rounds": list(selectors.rounds_of_body(membership)) if membership.organisation.is_industry_body else [],
    }
    return render(request, "benchmark/home.html", context)


# --- The industry body --------------------------------------------------------------------------


@member_view
def identity(request, membership):
    """The industry body verifies organisations for their corporate numbers (docs/supplychain.md)."""
    _require_body(membership)
    search = request.GET.get("q", "")[:200]
    return render(
        request,
        "benchmark/identity.html",
        {"rows": identity_selectors.registrations(membership, search=search), "search": search, "form": VerifyForm()},
    )


@require_POST
@member_view
def identity_verify(request, membership, organisation_id):
    _require_body(membership)
    organisation = identity_selectors.registration_for(membership, organisation_id)
    form = VerifyForm(request.POST)
    if form.is_valid():
        from keiretsu.supplychain import services as supplychain_services

        try:
            supplychain_services.organisation_verify(
                actor=request.user,
                organisation=organisation,
                via=organisation.Verification.INDUSTRY_BODY,
                note=form.cleaned_data["note"],
                body_membership=membership,
            )
        except Refusal as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s is verified for the corporate number %(number)s.")
                % {"name": organisation.name, "number": organisation.corporate_number},
            )
    else:
        messages.error(request, _("Write a note saying how you checked that this is the company."))
    return redirect(reverse("benchmark:identity", args=[membership.organisation_id]) + f"?q={organisation.corporate_number}")


@member_view
def round_create(request, membership):
    _require_body(membership)
    if not membership.can_manage:
        raise PermissionDenied
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round = services.round_open(membership=membership, actor=request.user, **form.cleaned_data)
        except services.BenchmarkError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The round for FY%(year)s is open.") % {"year": round.fiscal_year})
            return redirect("benchmark:round", org_id=membership.organisation_id, round_id=round.pk)
    return render(request, "benchmark/round_form.html", {"form": form, "creating": True})


@member_view
def round_detail(request, membership, round_id):
    round = selectors.round_for_body(membership, round_id)
    context = {
        "round": round,
        **selectors.received_page(membership, round, request.GET),
        "releases": list(selectors.releases_of_round(round)),
        "editions": list(round.editions.all()),
        "is_open": round.is_open,
    }
    return render(request, "benchmark/round_detail.html", context)


@member_view
def round_edit(request, membership, round_id):
    round = selectors.round_for_body(membership, round_id)
    if not membership.can_manage:
        raise PermissionDenied
    form = RoundUpdateForm(request.POST or None, initial={"deadline": round.deadline, "note": round.note})
    if request.method == "POST" and form.is_valid():
        services.round_update(membership=membership, actor=request.user, round=round, **form.cleaned_data)
        messages.success(request, _("The round has been updated."))
        return redirect("benchmark:round", org_id=membership.organisation_id, round_id=round.pk)
    return render(request, "benchmark/round_form.html", {"form": form, "round": round, "creating": False})


@member_view
def received_submission(request, membership, round_id, submission_id):
    round = selectors.round_for_body(membership, round_id)
    submission = selectors.received_submission_for(membership, round, submission_id)
    # A withdrawn submission's consent is withdrawn too: the body keeps only the fact that it was sent.
    detail = (
        selectors.received_submission_detail(submission) if submission.is_active else {"edition": submission.edition}
    )
    return render(request, "benchmark/received_submission.html", {"round": round, "submission": submission, **detail})


@require_POST
@member_view
def release_recompute(request, membership, round_id):
    round = selectors.round_for_body(membership, round_id)
    form = RecomputeForm(request.POST, round=round)
    if not form.is_valid():
        messages.error(request, _("Choose one of the round's editions."))
        return redirect("benchmark:round", org_id=membership.organisation_id, round_id=round.pk)
    if not membership.can_manage:
        raise PermissionDenied
    result = tasks.recompute_release.enqueue(
        membership_id=membership.pk,
        actor_id=request.user.pk,
        round_id=round.pk,
        edition_id=form.cleaned_data["edition"].pk,
    )
    if result.status == TaskResultStatus.SUCCESSFUL:
        messages.success(request, _("The statistics have been computed. Review the draft, then publish it."))
        return redirect("benchmark:release", org_id=membership.organisation_id, release_id=result.return_value)
    if result.status == TaskResultStatus.FAILED:
        logger.error("benchmark recompute failed: %s", result.errors[-1].traceback if result.errors else "")
        messages.error(request, _("The statistics could not be computed. The administrator has the details."))
    else:
        messages.info(request, _("The statistics are being computed. Reload this page in a moment."))
    return redirect("benchmark:round", org_id=membership.organisation_id, round_id=round.pk)


@require_POST
@member_view
@reauthentication_required
def release_publish(request, membership, release_id):
    release = selectors.release_for(membership, release_id)
    if release.round.body_id != membership.organisation_id:
        raise Http404
    question = confirmation(
        request,
        title=_("Publish this release?"),
        message=_("Once published, the release never changes: every company on Keiretsu sees it as it is now. "
                  "Corrections are made by publishing a new release."),
        action=_("Publish"),
        cancel_url=reverse("benchmark:release", args=[membership.organisation_id, release.pk]),
    )
    if question:
        return question
    try:
        services.release_publish(membership=membership, actor=request.user, release=release)
    except services.BenchmarkError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The release has been published. Companies can now see it."))
    return redirect("benchmark:release", org_id=membership.organisation_id, release_id=release.pk)


@require_POST
@member_view
def release_discard(request, membership, release_id):
    release = selectors.release_for(membership, release_id)
    if release.round.body_id != membership.organisation_id:
        raise Http404
    question = confirmation(
        request,
        title=_("Discard this draft?"),
        message=_("The draft and its figures are deleted. To publish figures later, compute a new draft."),
        action=_("Discard the draft"),
        cancel_url=reverse("benchmark:release", args=[membership.organisation_id, release.pk]),
    )
    if question:
        return question
    try:
        services.release_discard(membership=membership, actor=request.user, release=release)
    except services.BenchmarkError as exc:
        messages.error(request, exc.message)
        return redirect("benchmark:release", org_id=membership.organisation_id, release_id=release.pk)
    messages.success(request, _("The draft has been discarded."))
    return redirect("benchmark:round", org_id=membership.organisation_id, round_id=release.round_id)


# --- Companies ------------------------------------------------------------------------------------


@member_view
def submit(request, membership, round_id):
    round = selectors.round_for_company(membership, round_id)
    assessments = list(selectors.eligible_assessments(membership, round))
    chosen_id = request.POST.get("assessment") or request.GET.get("assessment")
    chosen = next((a for a in assessments if str(a.pk) == chosen_id), assessments[0] if assessments else None)
    form = SubmitForm(
        request.POST or None, assessments=assessments, initial={"assessment": chosen.pk if chosen else None}
    )
    problem = ""
    if chosen is not None:
        try:
            services.check_submittable(membership=membership, round=round, assessment=chosen)
        except Refusal as exc:  # what stops this member submitting this assessment, in words
            problem = exc.message
    if request.method == "POST" and form.is_valid() and chosen is not None:
        try:
            submission = services.submission_create(
                membership=membership,
                actor=request.user,
                round=round,
                assessment=chosen,
                consent=form.cleaned_data["consent"],
            )
        except services.ConsentMissing as exc:
            form.add_error("consent", exc.message)
        except Refusal as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Your assessment has been sent to %(body)s.") % {"body": submission.round.body.name}
            )
            return redirect("benchmark:home", org_id=membership.organisation_id)
    consent = (
        services.consent_statement(round=round, assessment=chosen, organisation=membership.organisation)
        if chosen
        else ""
    )
    context = {
        "round": round,
        "form": form,
        "chosen": chosen,
        "consent": consent,
        "problem": problem,
        "has_assessments": bool(assessments),
    }
    return render(request, "benchmark/submit.html", context)


@member_view
def withdraw(request, membership, submission_id):
    submission = selectors.submission_for(membership, submission_id)
    if request.method == "POST":
        try:
            services.submission_withdraw(membership=membership, actor=request.user, submission=submission)
        except services.BenchmarkError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your submission has been withdrawn."))
        return redirect("benchmark:home", org_id=membership.organisation_id)
    return render(request, "benchmark/withdraw.html", {"submission": submission})


# --- Releases and comparisons ---------------------------------------------------------------------


@member_view
def release_detail(request, membership, release_id):
    release = selectors.release_for(membership, release_id)
    view = selectors.release_view(release)
    context = {
        "view": view,
        "release": release,
        "is_body": release.round.body_id == membership.organisation_id,
        "stale": not release.is_published and services.release_is_stale(release),
        "charts": charts.release_charts(view),
    }
    return render(request, "benchmark/release_detail.html", context)


@member_view
def release_csv(request, membership, release_id):
    release = selectors.release_for(membership, release_id)
    return exports.release_csv_response(release)


@member_view
def comparison(request, membership, assessment_id):
    assessment = assessment_selectors.assessment_for(membership, assessment_id)
    release = None
    if request.GET.get("release"):
        if not request.GET["release"].isdigit():
            raise Http404
        release = selectors.published_release(request.GET["release"])
        if release.edition_id != assessment.edition_id:
            raise Http404
    else:
        release = selectors.release_for_assessment(assessment)
    context = {
        "assessment": assessment,
        "release": release,
        "other_releases": list(selectors.published_releases().filter(edition=assessment.edition_id)),
    }
    if release is not None:
        detail = selectors.build_comparison(assessment, release)
        context.update(detail=detail, comparison=detail.comparison, charts=charts.comparison_charts(detail))
    return render(request, "benchmark/comparison.html", context)
