from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.utils.http import content_disposition_header

from keiretsu.accounts.access import member_view
from keiretsu.assessments.selectors import assessment_for
from keiretsu.lib.downloads import file_name
from keiretsu.lib.fiscal_year import fiscal_year_label

from . import pdf, selectors, trend


@member_view
def assessment_pdf(request, membership, assessment_id):
    """The management report of one assessment (any member of the organisation may print it)."""
    assessment = assessment_for(membership, assessment_id)
    content = pdf.render_pdf(selectors.management_report(assessment))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(request.GET.get("download") == "1", file_name(assessment, "pdf", "report"))
    response["Cache-Control"] = "private, no-store"
    return response


@member_view
def assessment_pdf_making(request, membership, assessment_id):
    """A page that says the report is being made, then opens it (a refresh to the PDF): what the
    report link shows while the PDF is made when the browser runs no script."""
    assessment = assessment_for(membership, assessment_id)
    pdf_url = reverse("reports:assessment_pdf", args=[membership.organisation_id, assessment.pk])
    return render(request, "reports/making.html", {"assessment": assessment, "pdf_url": pdf_url})
def _series(membership, query):
    """The trend of the scope and edition named in the query ("scope", "edition"), of the
    member's organisation; 404 for one it does not have (another organisation's, or unknown).
    Without them: the first of the organisation's trends (None when there is none)."""
    scope, edition = query.get("scope", ""), query.get("edition", "")
    if not scope and not edition:
        found = trend.trends(membership.organisation)
        return found[0] if found else None
    if not (scope.isdigit() and edition.isdigit()):
        raise Http404
    found = trend.trends(membership.organisation, scope_id=int(scope), edition_id=int(edition))
    if not found:
        raise Http404
    return found[0]


@member_view
def trend_page(request, membership):
    """Every scope and edition over the years, with every label, and the form to compare two years."""
    return render(request, "reports/trend.html", {"trends": trend.trends(membership.organisation)})


@member_view
def trend_changes(request, membership):
    """The items whose rating changed between two chosen years of one scope and edition (by
    default the last two years of the first trend)."""
    series = _series(membership, request.GET)
    if series is None or len(series.points) < 2:
        return render(request, "reports/trend_changes.html", {"trend": series, "too_few": True})
    years = series.years
    before = _year(request.GET.get("from")) if "from" in request.GET else years[-2]
    after = _year(request.GET.get("to")) if "to" in request.GET else years[-1]
    problem = ""
    if before not in years or after not in years:
        listed = pgettext("list of years", ", ").join(fiscal_year_label(y) for y in years)
        problem = _("Choose two fiscal years with a submitted assessment: %(years)s.") % {"years": listed}
    elif before == after:
        problem = _("Choose two different fiscal years.")
    context = {"trend": series, "before": before, "after": after, "problem": problem}
    if problem:
        return render(request, "reports/trend_changes.html", context, status=400)
    context["comparison"] = trend.rating_changes(series, min(before, after), max(before, after))
    return render(request, "reports/trend_changes.html", context)


def _year(value):
    return int(value) if value and value.isdigit() and len(value) == 4 else None
