from django.urls import path

from . import views

app_name = "benchmark"

urlpatterns = [
    path("o/<int:org_id>/benchmark/", views.home, name="home"),
    # The industry body
    path("o/<int:org_id>/benchmark/identity/", views.identity, name="identity"),
    path(
        "o/<int:org_id>/benchmark/identity/<int:organisation_id>/verify/",
        views.identity_verify,
        name="identity_verify",
    ),
    path("o/<int:org_id>/benchmark/rounds/new/", views.round_create, name="round_create"),
    path("o/<int:org_id>/benchmark/rounds/<int:round_id>/", views.round_detail, name="round"),
    path("o/<int:org_id>/benchmark/rounds/<int:round_id>/edit/", views.round_edit, name="round_edit"),
    path("o/<int:org_id>/benchmark/rounds/<int:round_id>/recompute/", views.release_recompute, name="recompute"),
    path(
        "o/<int:org_id>/benchmark/rounds/<int:round_id>/submissions/<int:submission_id>/",
        views.received_submission,
        name="received_submission",
    ),
    path("o/<int:org_id>/benchmark/releases/<int:release_id>/publish/", views.release_publish, name="publish"),
    path("o/<int:org_id>/benchmark/releases/<int:release_id>/discard/", views.release_discard, name="discard"),
    # Companies
    path("o/<int:org_id>/benchmark/rounds/<int:round_id>/submit/", views.submit, name="submit"),
    path("o/<int:org_id>/benchmark/submissions/<int:submission_id>/withdraw/", views.withdraw, name="withdraw"),
    path("o/<int:org_id>/benchmark/comparison/<int:assessment_id>/", views.comparison, name="comparison"),
    # Releases: published ones for everybody, drafts for their industry body
    path("o/<int:org_id>/benchmark/releases/<int:release_id>/", views.release_detail, name="release"),
    path("o/<int:org_id>/benchmark/releases/<int:release_id>/csv/", views.release_csv, name="release_csv"),
]
