from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("o/<int:org_id>/", views.dashboard, name="dashboard"),
    path("o/<int:org_id>/assessments/", views.assessment_list, name="list"),
    path("o/<int:org_id>/assessments/new/", views.assessment_create, name="create"),
    path("o/<int:org_id>/assessments/<int:assessment_id>/", views.assessment_detail, name="detail"),
    path("o/<int:org_id>/assessments/<int:assessment_id>/items/<int:item_id>/", views.answer, name="answer"),
    # The checklist without JavaScript: one form, the save button names the item.
    path("o/<int:org_id>/assessments/<int:assessment_id>/items/", views.answer, name="answer_from_page"),
    path("o/<int:org_id>/assessments/<int:assessment_id>/submit/", views.assessment_submit, name="submit"),
    path("o/<int:org_id>/assessments/<int:assessment_id>/revise/", views.assessment_revise, name="revise"),
    path("o/<int:org_id>/assessments/<int:assessment_id>/approval/", views.assessment_approval, name="approval"),
    path("o/<int:org_id>/assessments/approval/", views.approval_policy, name="approval_policy"),
]
