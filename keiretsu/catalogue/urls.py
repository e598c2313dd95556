from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("catalogue/", views.edition_list, name="list"),
    path("catalogue/<int:edition_id>/", views.edition_detail, name="detail"),
    path("catalogue/<int:edition_id>/instance-wide/", views.edition_instance_wide, name="instance_wide"),
]
