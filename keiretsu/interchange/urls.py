from django.urls import path

from . import views

app_name = "interchange"

assessment = "o/<int:org_id>/assessments/<int:assessment_id>/"

urlpatterns = [
    path(f"{assessment}checksheet.xlsx", views.checksheet_export_view, name="checksheet_export"),
    path(f"{assessment}checksheet/import/", views.checksheet_import, name="checksheet_import"),
    path(f"{assessment}checksheet/import/<int:import_id>/", views.checksheet_import_preview, name="checksheet_import_preview"),
    path(f"{assessment}answers.csv", views.answers_csv, name="answers_csv"),
    path(f"{assessment}scores.csv", views.scores_csv, name="scores_csv"),
    path("o/<int:org_id>/scores.csv", views.organisation_scores_csv, name="organisation_scores_csv"),
    path("catalogue/import/", views.edition_import, name="edition_import"),
    path("catalogue/import/<int:import_id>/", views.edition_import_preview, name="edition_import_preview"),
    # An organisation's owner imports the official checksheet it received, for itself.
    path("o/<int:org_id>/catalogue/import/", views.organisation_edition_import, name="organisation_edition_import"),
    path(
        "o/<int:org_id>/catalogue/import/<int:import_id>/",
        views.organisation_edition_import_preview,
        name="organisation_edition_import_preview",
    ),
]
