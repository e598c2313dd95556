from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("o/<int:org_id>/assessments/<int:assessment_id>/report.pdf", views.assessment_pdf, name="assessment_pdf"),
    path("o/<int:org_id>/assessments/<int:assessment_id>/report/", views.assessment_pdf_making, name="assessment_pdf_making"),
    path("o/<int:org_id>/trend/", views.trend_page, name="trend"),
    path("o/<int:org_id>/trend/changes/", views.trend_changes, name="trend_changes"),
]
