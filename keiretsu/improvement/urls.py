from django.urls import path

from . import views

app_name = "improvement"

urlpatterns = [
    path("o/<int:org_id>/plan/", views.plan, name="plan"),
    path("o/<int:org_id>/plan/actions.csv", views.plan_csv, name="plan_csv"),
    path("o/<int:org_id>/plan/targets/", views.targets, name="targets"),
    path("o/<int:org_id>/plan/actions/new/", views.action_create, name="action_create"),
    path("o/<int:org_id>/plan/actions/<int:action_id>/", views.action, name="action"),
]
