"""Pages of the supply chain: the customer's suppliers, requests, tree and weakest links; the
supplier's inbox, sharing and passing requests on; the public invitation page."""

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from keiretsu.accounts.access import member_view, remembered_organisation
from keiretsu.assessments import extensions
from keiretsu.lib.confirm import confirmation
from keiretsu.catalogue.selectors import edition_structure
from keiretsu.lib import spreadsheets
from keiretsu.lib.fiscal_year import fiscal_year_of
from keiretsu.lib.refusals import message_of
from keiretsu.lib.uploads import bounded_upload
from keiretsu.programme.scoring import ScoreSummary

from . import reminders, selectors, services, supplier_csv
from .forms import (
    DeclineForm,
    ImportForm,
    LinkClaimForm,
    PassOnForm,
    RegisterSupplierForm,
    RequestForm,
    ShareForm,
    SupplierFilterForm,
    SupplierForm,
)
from .models import AssessmentRequest, Share, SupplierStatus


def _today():
    return timezone.localdate()


def _focus(membership, request):
    return selectors.focus_for(membership, request.GET, current_year=fiscal_year_of(_today()))


def _require_answerer(membership):
    if not membership.can_answer:
        raise PermissionDenied


def _refusal(request, exc):
    messages.error(request, message_of(exc))


# --- The customer's side: suppliers ------------------------------------------------------------


@login_required
def home(request):
    """The first screen after signing in (/): where the person's work is."""
    screen = selectors.first_screen(request.user, remembered_organisation_id=remembered_organisation(request))
    return redirect(screen.url)


@vary_on_headers("HX-Request")
@member_view
def supplier_list(request, membership):
    today = _today()
    focus = _focus(membership, request)
    filter_form = SupplierFilterForm(request.GET or None)
    filters = filter_form.filters()
    rows = selectors.supplier_rows(membership, focus=focus, today=today, **filters)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "focus": focus,
        "filter_form": filter_form,
        "page": page,
        "counts": selectors.status_counts(selectors.supplier_rows(membership, focus=focus, today=today)),
        "statuses": SupplierStatus,
        "query": _query_without(request.GET, "page"),
        "export_query": _query_without(request.GET, "page"),
    }
    template = "supplychain/supplier_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#suppliers"
    return render(request, template, context)


def _query_without(query, *keys):
    return urlencode([(k, v) for k, v in query.items() if k not in keys and v])


def _supplier_export(request, membership):
    """The supplier list as filtered on the page: (file name without suffix, header, rows)."""
    today = _today()
    focus = _focus(membership, request)
    rows = selectors.supplier_rows(
        membership, focus=focus, today=today, **SupplierFilterForm(request.GET or None).filters()
    )
    header, lines = supplier_csv.supplier_list(rows, focus)
    return f"suppliers-FY{focus.fiscal_year}", header, lines


CORPORATE_NUMBER_COLUMN = 1


@member_view
def supplier_export(request, membership):
    name, header, rows = _supplier_export(request, membership)
    return spreadsheets.csv_response([header, *rows], f"{name}.csv")


@member_view
def supplier_export_xlsx(request, membership):
    """The same list as an Excel workbook: the corporate number is text (13 digits, never 6.01235E+12)."""
    name, header, rows = _supplier_export(request, membership)
    content = spreadsheets.table_xlsx(
        _("Suppliers"), header, rows, text_columns=(CORPORATE_NUMBER_COLUMN,),
        widths=(28, 16, 28, 10, 24, 8, 24, 12, 12, 10, 10, 8, 12, 16, 18),
    )
    return spreadsheets.xlsx_response(content, f"{name}.xlsx")


@member_view
def supplier_add(request, membership):
    _require_answerer(membership)
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.supplier_add(membership=membership, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except services.SupplyChainError as exc:  # e-mail to other companies refused or used up
            form.add_error(None, exc.message)
        else:
            if supplier.organisation_id:
                messages.success(
                    request, _("%(name)s is already on Keiretsu and has been linked.") % {"name": supplier.name}
                )
            else:
                messages.success(
                    request,
                    _("%(name)s has been added; an invitation is on its way to %(email)s.")
                    % {"name": supplier.name, "email": supplier.contact_email},
                )
            return redirect("supplychain:supplier_detail", org_id=membership.organisation_id, supplier_id=supplier.pk)
    return render(request, "supplychain/supplier_form.html", {"form": form, "creating": True})


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@bounded_upload(ImportForm)
@member_view
def supplier_import(request, membership):
    """Upload a CSV file: it is checked whole, then previewed; nothing is written or sent yet."""
    _require_answerer(membership)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            pending = services.suppliers_import_prepare(
                membership=membership, actor=request.user, data=upload.read(), file_name=upload.name or ""
            )
        except services.SupplyChainError as exc:
            form.add_error(None, exc.message)
            problems = exc.problems
        else:
            return redirect(
                "supplychain:supplier_import_preview", org_id=membership.organisation_id, supplier_import_id=pending.pk
            )
    return render(
        request,
        "supplychain/supplier_import.html",
        {"form": form, "problems": problems, "columns": supplier_csv.COLUMNS},
        status=400 if form.errors else 200,
    )


@member_view
def supplier_import_preview(request, membership, supplier_import_id):
    _require_answerer(membership)
    pending = selectors.supplier_import_for(membership, supplier_import_id)
    try:
        preview = services.suppliers_import_preview(membership, pending)
    except services.SupplyChainError as exc:  # the list changed meanwhile: a supplier is on it now
        services.suppliers_import_discard(membership=membership, pending=pending)
        form = ImportForm()
        form.add_error(None, exc.message)
        context = {"form": form, "problems": exc.problems, "columns": supplier_csv.COLUMNS}
        return render(request, "supplychain/supplier_import.html", context, status=409)
    return render(request, "supplychain/supplier_import_preview.html", {"preview": preview})


@require_POST
@member_view
def supplier_import_confirm(request, membership, supplier_import_id):
    _require_answerer(membership)
    pending = selectors.supplier_import_for(membership, supplier_import_id)
    if "discard" in request.POST:
        services.suppliers_import_discard(membership=membership, pending=pending)
        messages.info(request, _("Nothing was imported."))
        return redirect("supplychain:supplier_import", org_id=membership.organisation_id)
    try:
        result = services.suppliers_import_confirm(membership=membership, actor=request.user, pending=pending)
    except services.SupplyChainError as exc:
        _refusal(request, exc)
        return redirect(
            "supplychain:supplier_import_preview", org_id=membership.organisation_id, supplier_import_id=pending.pk
        )
    messages.success(
        request,
        ngettext(
            "%(count)s supplier imported (%(linked)s already on Keiretsu and linked, %(invited)s invited by e-mail).",
            "%(count)s suppliers imported (%(linked)s already on Keiretsu and linked, %(invited)s invited by e-mail).",
            len(result.suppliers),
        )
        % {"count": len(result.suppliers), "linked": result.linked, "invited": result.invited},
    )
    return redirect("supplychain:suppliers", org_id=membership.organisation_id)


@member_view
def supplier_detail(request, membership, supplier_id):
    return _supplier_detail(request, membership, selectors.supplier_for(membership, supplier_id))


def _supplier_detail(request, membership, supplier, status=200, **extra):
    today = _today()
    return render(
        request,
        "supplychain/supplier_detail.html",
        {
            "supplier": supplier,
            "registration": selectors.registration_of(supplier),
            "registrations": selectors.Registration,
            "claims": selectors.claims_for(membership, supplier),
            "link_form": extra.get("link_form") or LinkClaimForm(claims=selectors.claims_for(membership, supplier)),
            "unverified_warning": services.UNVERIFIED_WARNING,
            "requests": selectors.supplier_requests(membership, supplier, today=today),
            "shares": selectors.supplier_shares(membership, supplier),
            "invitations": selectors.supplier_invitations(supplier)[:5],
            "reminders": selectors.request_reminders(membership, supplier)[:20],
            "statuses": SupplierStatus,
            "today": today,
        },
        status=status,
    )


@require_POST
@member_view
def supplier_link_claim(request, membership, supplier_id):
    """Link an unverified registration of the supplier's number, knowingly (audited)."""
    _require_answerer(membership)
    supplier = selectors.supplier_for(membership, supplier_id)
    form = LinkClaimForm(request.POST, claims=selectors.claims_for(membership, supplier))
    if form.is_valid():
        try:
            services.supplier_link_claim(
                membership=membership,
                actor=request.user,
                supplier=supplier,
                organisation=form.cleaned_data["organisation"],
                acknowledged=form.cleaned_data["acknowledged"],
            )
        except services.SupplyChainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.warning(
                request,
                _("%(name)s is linked to a registration that is not verified. Your requests now reach it.")
                % {"name": supplier.name},
            )
            return redirect("supplychain:supplier_detail", org_id=membership.organisation_id, supplier_id=supplier.pk)
    return _supplier_detail(request, membership, supplier, status=400, link_form=form)


@require_POST
@member_view
def supplier_unlink_claim(request, membership, supplier_id):
    supplier = selectors.supplier_for(membership, supplier_id)
    try:
        services.supplier_unlink_claim(membership=membership, actor=request.user, supplier=supplier)
    except services.SupplyChainError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The link has been undone: your requests no longer reach that registration."))
    return redirect("supplychain:supplier_detail", org_id=membership.organisation_id, supplier_id=supplier.pk)


@member_view
def supplier_edit(request, membership, supplier_id):
    _require_answerer(membership)
    supplier = selectors.supplier_for(membership, supplier_id)
    locked = supplier.number_is_locked()
    initial = {key: getattr(supplier, key) for key in services.SUPPLIER_FIELDS}
    form = SupplierForm(request.POST or None, initial=initial, locked_number=locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_update(membership=membership, actor=request.user, supplier=supplier, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except services.SupplyChainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The supplier's details have been saved."))
            return redirect("supplychain:supplier_detail", org_id=membership.organisation_id, supplier_id=supplier.pk)
    return render(request, "supplychain/supplier_form.html", {"form": form, "creating": False, "supplier": supplier})


@require_POST
@member_view
def supplier_remove(request, membership, supplier_id):
    supplier = selectors.supplier_for(membership, supplier_id)
    question = confirmation(
        request,
        title=_("Remove %(name)s from your suppliers?") % {"name": supplier.name},
        message=_("It leaves your list of suppliers, and the links of its invitations stop working. "
                  "To follow it again, add it again."),
        action=_("Remove"),
        cancel_url=reverse("supplychain:supplier_detail", args=[membership.organisation_id, supplier.pk]),
    )
    if question:
        return question
    try:
        services.supplier_remove(membership=membership, actor=request.user, supplier=supplier)
    except services.SupplyChainError as exc:
        _refusal(request, exc)
        return redirect("supplychain:supplier_detail", org_id=membership.organisation_id, supplier_id=supplier.pk)
    messages.success(request, _("%(name)s has been removed from your list.") % {"name": supplier.name})
    return redirect("supplychain:suppliers", org_id=membership.organisation_id)


@require_POST
@member_view
def supplier_invite(request, membership, supplier_id):
    supplier = selectors.supplier_for(membership, supplier_id)
    try:
        invitation = services.supplier_invite(membership=membership, actor=request.user, supplier=supplier)
    except services.SupplyChainError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("A new invitation is on its way to %(email)s.") % {"email": invitation.email})
    return redirect("supplychain:supplier_detail", org_id=membership.organisation_id, supplier_id=supplier.pk)


# --- The customer's side: requests -------------------------------------------------------------


@member_view
def request_create(request, membership):
    _require_answerer(membership)
    initial = {}
    if request.GET.get("supplier", "").isdigit():
        initial["suppliers"] = [int(request.GET["supplier"])]
    form = RequestForm(request.POST or None, customer=membership.organisation_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        every = data["all_suppliers"]
        suppliers = (
            list(selectors.suppliers_of(membership).select_related("organisation"))
            if every
            else list(data["suppliers"])
        )
        try:
            result = services.requests_send(
                membership=membership,
                actor=request.user,
                suppliers=suppliers,
                editions=list(data["editions"]),
                fiscal_year=data["fiscal_year"],
                due_date=data["due_date"],
                message=data["message"],
                pass_on=data["pass_on"],
                today=_today(),
                skip_requested=every,
                language=request.LANGUAGE_CODE,
            )
        except services.SupplyChainError as exc:
            form.add_error(None, exc.message)
        else:
            text = ngettext("%(count)s request sent.", "%(count)s requests sent.", len(result.created)) % {
                "count": len(result.created)
            }
            if result.skipped:
                text += " " + _("%(count)s left out (already asked).") % {"count": len(result.skipped)}
            messages.success(request, text)
            return redirect(
                reverse("supplychain:suppliers", args=[membership.organisation_id]) + f"?year={data['fiscal_year']}"
            )
    return render(request, "supplychain/request_form.html", {"form": form})


@require_POST
@member_view
def request_withdraw(request, membership, request_id):
    assessment_request = selectors.sent_request_for(membership, request_id)
    question = confirmation(
        request,
        title=_("Withdraw this request?"),
        message=_("The request leaves your supply tree, with everything passed on below it. The supplier "
                  "can no longer accept it. To ask again, send a new request."),
        action=_("Withdraw"),
        cancel_url=reverse("supplychain:supplier_detail", args=[membership.organisation_id, assessment_request.supplier_id]),
    )
    if question:
        return question
    try:
        services.request_withdraw(membership=membership, actor=request.user, request=assessment_request)
    except services.SupplyChainError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The request has been withdrawn."))
    return redirect(
        "supplychain:supplier_detail", org_id=membership.organisation_id, supplier_id=assessment_request.supplier_id
    )


@require_POST
@member_view
def request_remind(request, membership, request_id):
    assessment_request = selectors.sent_request_for(membership, request_id)
    try:
        reminders.reminder_nudge(membership=membership, actor=request.user, request=assessment_request, today=_today())
    except services.SupplyChainError as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request, _("A reminder is on its way to %(name)s.") % {"name": assessment_request.supplier.name}
        )
    return redirect(
        "supplychain:supplier_detail", org_id=membership.organisation_id, supplier_id=assessment_request.supplier_id
    )


@member_view
def result(request, membership, share_id):
    share = selectors.share_received_for(membership, share_id)
    context = {"share": share}
    if share.is_active:
        structure = edition_structure(share.edition)
        answers = selectors.shared_answers(share)
        # Evidence files of a full share (improvement, through assessments.extensions).
        files = extensions.contributions(extensions.SHARED, membership, share).get("files_by_item", {}) if answers else {}
        context.update(
            scores=ScoreSummary.from_dict(share.assessment.score_snapshot),
            structure=structure,
            edition=share.edition,
            rows=[(item, answers.get(item.pk), files.get(item.pk, [])) for item in structure.items] if answers else [],
            scale=share.edition.rating_scale,
        )
    return render(request, "supplychain/result.html", context)


@member_view
def supply_tree(request, membership):
    focus = _focus(membership, request)
    tree = selectors.supply_tree(membership, focus=focus, today=_today())
    shared = selectors.results_shared_with(membership, focus=focus) if focus.edition else []
    page = Paginator(shared, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supplychain/supply_tree.html",
        {
            "focus": focus,
            "tree": tree,
            "page": page,
            "statuses": SupplierStatus,
            "query": _query_without(request.GET, "page"),
        },
    )


@member_view
def weakest_links(request, membership):
    focus = _focus(membership, request)
    edition = focus.edition if request.GET.get("edition") else None
    links = selectors.weakest_links(membership, fiscal_year=focus.fiscal_year, edition=edition)
    page = Paginator(links, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supplychain/weakest_links.html",
        {"focus": focus, "edition": edition, "page": page, "query": _query_without(request.GET, "page")},
    )


# --- The supplier's side: inbox, sharing, passing on ----------------------------------------------


@member_view
def inbox(request, membership):
    year = request.GET.get("year", "")
    state = request.GET.get("state", "open")
    requests = selectors.inbox(
        membership, today=_today(), fiscal_year=int(year) if year.isdigit() else None, state=state
    )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supplychain/inbox.html",
        {
            "page": page,
            "state": state,
            "year": year,
            "states": AssessmentRequest.Status,
            "statuses": SupplierStatus,
            "query": _query_without(request.GET, "page"),
            "can_pass_on": any(r.can_pass_on for r in page),
        },
    )


def _inbox_context(request, membership, assessment_request, **extra):
    share_form = None
    assessments = selectors.shareable_assessments(membership, assessment_request)
    recipients = selectors.share_recipients(assessment_request)
    if assessments and membership.can_submit:
        share_form = extra.pop("share_form", None) or ShareForm(assessments=assessments, recipients=recipients)
    shares = [
        s
        for s in selectors.shares_given(membership).filter(
            edition=assessment_request.edition_id,
            fiscal_year=assessment_request.fiscal_year,
            recipient__in=[r.pk for r in recipients],
        )
    ]
    return {
        "req": assessment_request,
        "status": selectors.inbox(membership, today=_today())
        .filter(pk=assessment_request.pk)
        .values_list("supplier_status", flat=True)
        .first(),
        "chain": list(selectors.upstream_requests(assessment_request))[1:],
        "assessments": selectors.assessments_for_request(membership, assessment_request),
        "shares": shares,
        "share_form": share_form,
        "decline_form": extra.pop("decline_form", None) or DeclineForm(),
        "children": selectors.passed_on_requests(assessment_request),
        "statuses": SupplierStatus,
        **extra,
    }


@member_view
def inbox_request(request, membership, request_id):
    assessment_request = selectors.inbox_request_for(membership, request_id)
    return render(request, "supplychain/inbox_request.html", _inbox_context(request, membership, assessment_request))


def _back_to(membership, assessment_request):
    return redirect("supplychain:inbox_request", org_id=membership.organisation_id, request_id=assessment_request.pk)


@require_POST
@member_view
def request_accept(request, membership, request_id):
    assessment_request = selectors.inbox_request_for(membership, request_id)
    try:
        services.request_accept(
            membership=membership, actor=request.user, request=assessment_request, language=request.LANGUAGE_CODE
        )
    except services.SupplyChainError as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request,
            _("Accepted. Your assessment answers this request and any other customer's for the same edition and year."),
        )
    return _back_to(membership, assessment_request)


@require_POST
@member_view
def request_decline(request, membership, request_id):
    assessment_request = selectors.inbox_request_for(membership, request_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.request_decline(
                membership=membership,
                actor=request.user,
                request=assessment_request,
                reason=form.cleaned_data["reason"],
                language=request.LANGUAGE_CODE,
            )
        except services.SupplyChainError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("Declined. Your customer has been told, with your reason."))
            return _back_to(membership, assessment_request)
    context = _inbox_context(request, membership, assessment_request, decline_form=form)
    return render(request, "supplychain/inbox_request.html", context, status=400)


@require_POST
@member_view
@reauthentication_required(enabled=lambda request: request.POST.get("detail") == Share.Detail.FULL)
def request_share(request, membership, request_id):
    assessment_request = selectors.inbox_request_for(membership, request_id)
    if not membership.can_submit:
        raise PermissionDenied
    assessments = selectors.shareable_assessments(membership, assessment_request)
    recipients = selectors.share_recipients(assessment_request)
    form = ShareForm(request.POST, assessments=assessments, recipients=recipients)
    if form.is_valid():
        try:
            shares = services.share_create(
                membership=membership,
                actor=request.user,
                request=assessment_request,
                assessment=form.cleaned_data["assessment"],
                detail=form.cleaned_data["detail"],
                recipients=list(form.cleaned_data["recipients"]),
            )
        except services.SupplyChainError as exc:
            form.add_error(None, exc.message)
        else:
            if shares:
                messages.success(
                    request, _("Shared with %(names)s.") % {"names": ", ".join(s.recipient.name for s in shares)}
                )
            else:
                messages.info(request, _("Already shared exactly so: nothing changed."))
            return _back_to(membership, assessment_request)
    context = _inbox_context(request, membership, assessment_request, share_form=form)
    return render(request, "supplychain/inbox_request.html", context, status=400)


@require_POST
@member_view
def share_withdraw(request, membership, share_id):
    share = selectors.share_given_for(membership, share_id)
    question = confirmation(
        request,
        title=_("Stop sharing with %(name)s?") % {"name": share.recipient.name},
        message=_("From now on %(name)s sees only that the sharing was withdrawn, and when. "
                  "To let it see the result again, share it again.") % {"name": share.recipient.name},
        action=_("Withdraw"),
        cancel_url=reverse("supplychain:shares", args=[membership.organisation_id]),
    )
    if question:
        return question
    try:
        services.share_withdraw(membership=membership, actor=request.user, share=share)
    except services.SupplyChainError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Sharing with %(name)s has been withdrawn.") % {"name": share.recipient.name})
    if share.request_id and share.request.supplier.organisation_id == membership.organisation_id:
        return redirect("supplychain:inbox_request", org_id=membership.organisation_id, request_id=share.request_id)
    return redirect("supplychain:shares", org_id=membership.organisation_id)


@member_view
def shares(request, membership):
    page = Paginator(selectors.shares_given(membership), 50).get_page(request.GET.get("page"))
    return render(request, "supplychain/shares.html", {"page": page})


@member_view
def pass_on(request, membership):
    _require_answerer(membership)
    ids = [int(i) for i in request.GET.getlist("requests") + request.POST.getlist("requests") if str(i).isdigit()]
    eligible = selectors.requests_to_pass_on(
        membership,
        selectors.inbox(membership, today=_today(), state=AssessmentRequest.Status.ACCEPTED).values("pk"),
    )
    if not eligible:
        messages.info(request, _("There is no accepted request that asks to be passed on."))
        return redirect("supplychain:inbox", org_id=membership.organisation_id)
    chosen = [r for r in eligible if r.pk in ids] or eligible
    initial = {"requests": [r.pk for r in chosen], "due_date": min(r.due_date for r in chosen), "all_suppliers": True}
    form = PassOnForm(request.POST or None, customer=membership.organisation_id, eligible=eligible, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.requests_pass_on(
                membership=membership,
                actor=request.user,
                parents=list(data["requests"].select_related("supplier", "requester", "edition__guideline")),
                suppliers=None if data["all_suppliers"] else list(data["suppliers"]),
                due_date=data["due_date"],
                message=data["message"],
                pass_on=data["pass_on"],
                today=_today(),
                language=request.LANGUAGE_CODE,
            )
        except services.SupplyChainError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "supplychain/pass_on_done.html", {"result": result})
    return render(
        request,
        "supplychain/pass_on.html",
        {"form": form, "has_suppliers": selectors.suppliers_of(membership).exists()},
    )


# --- The invitation link (no membership yet) -----------------------------------------------------


def invitation(request, token):
    try:
        invitation = services.invitation_by_token(token)
    except services.InvitationProblem as exc:
        return render(request, "supplychain/invitation.html", {"problem": exc.message}, status=410)
    supplier = invitation.supplier
    context = {"invitation": invitation, "supplier": supplier, "customer": supplier.customer}
    if supplier.organisation_id and supplier.organisation.is_verified:
        context["problem"] = _(
            "This invitation is no longer needed: %(name)s is already on Keiretsu and linked to %(customer)s. Sign in to see the requests."
        ) % {"name": supplier.organisation.name, "customer": supplier.customer.name}
        return render(request, "supplychain/invitation.html", context, status=410)
    if not request.user.is_authenticated:
        # Whoever opened the link reads the invited address's mail: signing up with it needs no
        # second verification (allauth's stash; docs/security.md).
        get_account_adapter().stash_verified_email(request, invitation.email)
        here = request.get_full_path()
        context["sign_up_url"] = (
            reverse("accounts:sign_up") + "?" + urlencode({"next": here, "email": invitation.email})
        )
        context["sign_in_url"] = reverse("accounts:login") + "?" + urlencode({"next": here})
        return render(request, "supplychain/invitation.html", context)
    try:
        services.invitation_check_user(invitation, request.user)
    except services.SupplyChainError as exc:
        context["problem"] = exc.message
        return render(request, "supplychain/invitation.html", context, status=403)
    try:
        existing = services.invitation_target(invitation, request.user)
    except services.SupplyChainError as exc:
        context["problem"] = exc.message
        return render(request, "supplychain/invitation.html", context, status=409)
    context["existing"] = existing
    form = None
    if existing is None:
        form = RegisterSupplierForm(request.POST or None, initial=services.registration_defaults(invitation))
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            organisation = services.invitation_accept(
                user=request.user, token=token, registration=form.cleaned_data if form is not None else None
            )
        except (services.SupplyChainError, ValidationError) as exc:
            context["problem"] = message_of(exc)
            context["form"] = form
            return render(request, "supplychain/invitation.html", context, status=409)
        messages.success(
            request,
            _("%(name)s is now linked to %(customer)s. Its requests are below.")
            % {"name": organisation.name, "customer": supplier.customer.name},
        )
        return redirect("supplychain:inbox", org_id=organisation.pk)
    context["form"] = form
    return render(request, "supplychain/invitation.html", context)
