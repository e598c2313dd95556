"""Downloads (checksheet, CSV) and the two uploads (a filled checksheet, an official checksheet).

Every object is reached through the member's organisation (404 otherwise); the catalogue
import of an official checksheet is for the instance administrator (for every organisation) and
for an organisation's owner (for that organisation only); 404 for anyone else.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from keiretsu.accounts.access import member_view
from keiretsu.assessments import extensions
from keiretsu.assessments import selectors as assessment_selectors
from keiretsu.catalogue import selectors as catalogue_selectors
from keiretsu.catalogue.models import Item
from keiretsu.lib.downloads import file_name
from keiretsu.lib.uploads import bounded_upload

from . import checksheet_export, csv_export, selectors, services
from .forms import ChecksheetUploadForm, EditionUploadForm
from .models import PendingStatus
from .official import PRESETS
from .workbooks import WorkbookRefused, max_upload_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The columns the official checksheet importer recognises (headings.FIELDS), for the preview.
FIELD_NAMES = {
    "number": "No.",
    "label": _lazy("Label"),
    "title": _lazy("Item"),
    "purpose": _lazy("Purpose"),
    "requirement": _lazy("Requirement"),
    "condition": _lazy("Condition"),
    "criteria": _lazy("Criteria"),
    "explanation": _lazy("Explanation"),
    "level": _lazy("Level"),
    "priority": _lazy("Priority"),
    "rating": _lazy("Rating"),
    "reason": _lazy("Reason"),
    "comment": _lazy("Comment and evidence"),
}
CSV = "text/csv; charset=utf-8"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # filename* (RFC 5987) carries the Japanese company and scope names.
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"  # a list of the company's weaknesses
    return response


def _detail_url(assessment):
    return reverse("assessments:detail", args=[assessment.organisation_id, assessment.pk])


@member_view
def checksheet_export_view(request, membership, assessment_id):
    assessment = assessment_selectors.assessment_for(membership, assessment_id)
    extras = extensions.contributions(extensions.WORKBOOK, membership, assessment).get("workbook_sheets", [])
    content = checksheet_export.export_checksheet(selectors.assessment_data(assessment), extra_sheets=extras)
    return _download(content, XLSX, file_name(assessment))


@member_view
def answers_csv(request, membership, assessment_id):
    assessment = assessment_selectors.assessment_for(membership, assessment_id)
    content = csv_export.answers_csv(selectors.assessment_data(assessment))
    return _download(content, CSV, file_name(assessment, "csv", "answers"))


@member_view
def scores_csv(request, membership, assessment_id):
    assessment = assessment_selectors.assessment_for(membership, assessment_id)
    content = csv_export.scores_csv(selectors.assessment_data(assessment))
    return _download(content, CSV, file_name(assessment, "csv", "scores"))


@member_view
def organisation_scores_csv(request, membership):
    entries = assessment_selectors.latest_assessments(membership)
    name = f"{membership.organisation.name}_scores.csv".replace("/", "-")
    return _download(csv_export.organisation_scores_csv(entries), CSV, name)


def _uploaded_bytes(form):
    """The uploaded file's bytes (UploadField has checked its size before anything read it)."""
    upload = form.cleaned_data["file"]
    return upload.read(), upload.name


@bounded_upload(ChecksheetUploadForm)
@member_view
def checksheet_import(request, membership, assessment_id):
    assessment = assessment_selectors.assessment_for(membership, assessment_id)
    if not membership.can_answer:
        raise PermissionDenied
    form = ChecksheetUploadForm(request.POST or None, request.FILES or None)
    problems, error = [], ""
    if request.method == "POST" and form.is_valid():
        try:
            data, name = _uploaded_bytes(form)
            pending = services.checksheet_import_prepare(
                membership=membership, actor=request.user, assessment=assessment, data=data, file_name=name
            )
        except WorkbookRefused as exc:
            error = exc.message
        except services.ImportRefused as exc:
            error, problems = exc.message, exc.problems
        else:
            return redirect("interchange:checksheet_import_preview", membership.organisation_id, assessment.pk, pending.pk)
    status = 400 if (error or form.errors) else 200
    return render(
        request,
        "interchange/checksheet_import.html",
        {"assessment": assessment, "form": form, "error": error, "problems": problems[:200],
         "more_problems": max(len(problems) - 200, 0), "problem_count": len(problems),
         "max_mb": max_upload_bytes() // 1_048_576},
        status=status,
    )


@member_view
def checksheet_import_preview(request, membership, assessment_id, import_id):
    assessment = assessment_selectors.assessment_for(membership, assessment_id)
    pending = selectors.checksheet_import_for(membership, assessment, import_id)
    if request.method == "POST":
        if not membership.can_answer:
            raise PermissionDenied
        if request.POST.get("action") == "discard":
            services.checksheet_import_discard(membership=membership, actor=request.user, pending=pending)
            messages.info(request, _("The import was discarded; nothing was changed."))
            return redirect(_detail_url(assessment))
        try:
            result = services.checksheet_import_apply(membership=membership, actor=request.user, pending=pending)
        except services.AssessmentError as exc:
            messages.error(request, exc.message)
            return redirect("interchange:checksheet_import", membership.organisation_id, assessment.pk)
        messages.success(
            request,
            _("The checksheet was imported: %(count)s answers changed.") % {"count": result.changed},
        )
        return redirect(_detail_url(assessment))
    plan = services.ImportPlan.from_dict(pending.plan)
    items = Item.objects.in_bulk([c.item_id for c in plan.changes])
    rows = [(change, items.get(change.item_id)) for change in plan.rating_changes]
    text_rows = [(change, items.get(change.item_id)) for change in plan.text_changes]
    return render(
        request,
        "interchange/checksheet_import_preview.html",
        {
            "assessment": assessment,
            "pending": pending,
            "plan": plan,
            "rows": rows,
            "text_rows": text_rows,
            "open": pending.status == PendingStatus.PENDING and not pending.is_expired,
            "text_only": plan.counts.get("text_only", 0),
        },
    )


# --- The official checksheet: the administrator for everyone, an owner for its organisation --


def _staff_only(user):
    if not user.is_staff:
        raise Http404


@bounded_upload(EditionUploadForm)
@login_required
def edition_import(request):
    _staff_only(request.user)
    return _edition_import(request, None)


@bounded_upload(EditionUploadForm)
@member_view
def organisation_edition_import(request, membership):
    if not membership.can_manage:
        raise PermissionDenied
    return _edition_import(request, membership)


@login_required
def edition_import_preview(request, import_id):
    return _edition_import_preview(request, None, import_id)


@member_view
def organisation_edition_import_preview(request, membership, import_id):
    if not membership.can_manage:
        raise PermissionDenied
    return _edition_import_preview(request, membership, import_id)


def _import_urls(membership):
    if membership is None:
        return reverse("interchange:edition_import"), lambda pk: reverse("interchange:edition_import_preview", args=[pk])
    org = membership.organisation_id
    return (
        reverse("interchange:organisation_edition_import", args=[org]),
        lambda pk: reverse("interchange:organisation_edition_import_preview", args=[org, pk]),
    )


def _edition_import(request, membership):
    form = EditionUploadForm(request.POST or None, request.FILES or None)
    problems, error = [], ""
    page_url, preview_url = _import_urls(membership)
    if request.method == "POST" and form.is_valid():
        try:
            data, name = _uploaded_bytes(form)
            pending = services.edition_import_prepare(
                actor=request.user,
                membership=membership,
                data=data,
                file_name=name,
                guideline=form.cleaned_data["guideline"],
                edition=form.cleaned_data["edition"],
                title=form.cleaned_data["title"],
                published=form.cleaned_data["published"],
            )
        except WorkbookRefused as exc:
            error = exc.message
        except services.EditionImportRefused as exc:
            error, problems = exc.message, exc.problems
        else:
            return redirect(preview_url(pending.pk))
    status = 400 if (error or form.errors) else 200
    recent = [
        (entry, preview_url(entry.pk)) for entry in selectors.recent_edition_imports(membership=membership)
    ]
    context = {
        "form": form, "error": error, "problems": problems[:200], "recent": recent, "page_url": page_url,
        "for_organisation": membership is not None,
        "imported": list(catalogue_selectors.imported_by(membership.organisation_id)) if membership else [],
    }
    return render(request, "interchange/edition_import.html", context, status=status)


def _edition_import_preview(request, membership, import_id):
    pending = selectors.edition_import_for(request.user, import_id, membership)
    page_url, preview_url = _import_urls(membership)
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            services.edition_import_discard(actor=request.user, pending=pending, membership=membership)
            messages.info(request, _("The import was discarded; nothing was created."))
            return redirect(page_url)
        try:
            result = services.edition_import_apply(actor=request.user, pending=pending, membership=membership)
        except services.EditionImportRefused as exc:
            messages.error(request, " ".join([exc.message, *exc.problems]))
            return redirect(preview_url(pending.pk))
        if result.created:
            messages.success(request, _("The edition was created with %(count)s items.") % {"count": len(pending.spec["items"])})
        else:
            messages.info(request, _("This edition was already loaded with the same content; nothing changed."))
        return redirect("catalogue:detail", result.edition.pk)
    columns = [(FIELD_NAMES.get(name, name), heading) for name, heading in pending.preview.get("columns", {}).items()]
    return render(
        request,
        "interchange/edition_import_preview.html",
        {
            "pending": pending,
            "preview": pending.preview,
            "columns": columns,
            "open": pending.status == PendingStatus.PENDING and not pending.is_expired,
            "expected": _expected(pending.guideline_slug),
            "page_url": page_url,
            "for_organisation": membership is not None,
        },
    )


def _expected(slug):
    preset = PRESETS.get(slug)
    return preset.expected if preset else {}
