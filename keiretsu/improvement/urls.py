from django.urls import path

from . import views

app_name = "improvement"

urlpatterns = [
    path("o/<int:org_id>/plan/targets/", views.targets, name="targets"),
]
