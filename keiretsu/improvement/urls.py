from django.urls import path

from . import views

app_name = "improvement"

urlpatterns = [
    path("o/<int:org_id>/plan/", views.plan, name="plan"),
    path("o/<int:org_id>/plan/actions.csv", views.plan_csv, name="plan_csv"),
    path("o/<int:org_id>/plan/targets/", views.targets, name="targets"),
    path("o/<int:org_id>/plan/targets.csv", views.targets_csv, name="targets_csv"),
    path("o/<int:org_id>/plan/actions/new/", views.action_create, name="action_create"),
    path("o/<int:org_id>/plan/actions/<int:action_id>/", views.action, name="action"),
    path("o/<int:org_id>/plan/actions/<int:action_id>/evidence/", views.evidence_action_add, name="evidence_action_add"),
    path(
        "o/<int:org_id>/assessments/<int:assessment_id>/items/<int:item_id>/evidence/",
        views.evidence_answer_add,
        name="evidence_answer_add",
    ),
    path("o/<int:org_id>/todo/", views.todo, name="todo"),
    path("o/<int:org_id>/assessments/<int:assessment_id>/assignments/", views.assignments, name="assignments"),
    path("o/<int:org_id>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("o/<int:org_id>/evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
]
