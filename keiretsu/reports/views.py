from django.http import HttpResponse
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
