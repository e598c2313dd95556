from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header

from keiretsu.accounts.access import member_view
from keiretsu.assessments.selectors import assessment_for
from keiretsu.lib.downloads import file_name

from . import pdf, selectors


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
