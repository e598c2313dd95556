from django.urls import path

from . import views

app_name = "supplychain"

urlpatterns = [
    # The customer's side
    path("o/<int:org_id>/suppliers/", views.supplier_list, name="suppliers"),
    path("o/<int:org_id>/suppliers/export.csv", views.supplier_export, name="supplier_export"),
    path("o/<int:org_id>/suppliers/export.xlsx", views.supplier_export_xlsx, name="supplier_export_xlsx"),
    path("o/<int:org_id>/suppliers/new/", views.supplier_add, name="supplier_add"),
    path("o/<int:org_id>/suppliers/import/", views.supplier_import, name="supplier_import"),
    path(
        "o/<int:org_id>/suppliers/import/<int:supplier_import_id>/",
        views.supplier_import_preview,
        name="supplier_import_preview",
    ),
    path(
        "o/<int:org_id>/suppliers/import/<int:supplier_import_id>/confirm/",
        views.supplier_import_confirm,
        name="supplier_import_confirm",
    ),
    path("o/<int:org_id>/suppliers/<int:supplier_id>/", views.supplier_detail, name="supplier_detail"),
    path("o/<int:org_id>/suppliers/<int:supplier_id>/edit/", views.supplier_edit, name="supplier_edit"),
    path("o/<int:org_id>/suppliers/<int:supplier_id>/remove/", views.supplier_remove, name="supplier_remove"),
    path("o/<int:org_id>/suppliers/<int:supplier_id>/invite/", views.supplier_invite, name="supplier_invite"),
    path("o/<int:org_id>/suppliers/<int:supplier_id>/link/", views.supplier_link_claim, name="supplier_link_claim"),
    path(
        "o/<int:org_id>/suppliers/<int:supplier_id>/unlink/", views.supplier_unlink_claim, name="supplier_unlink_claim"
    ),
    path("o/<int:org_id>/requests/new/", views.request_create, name="request_create"),
    path("o/<int:org_id>/requests/<int:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("o/<int:org_id>/requests/<int:request_id>/remind/", views.request_remind, name="request_remind"),
    path("o/<int:org_id>/results/<int:share_id>/", views.result, name="result"),
    path("o/<int:org_id>/supply-tree/", views.supply_tree, name="supply_tree"),
    path("o/<int:org_id>/weakest-links/", views.weakest_links, name="weakest_links"),
    # The supplier's side
    path("o/<int:org_id>/inbox/", views.inbox, name="inbox"),
    path("o/<int:org_id>/inbox/pass-on/", views.pass_on, name="pass_on"),
    path("o/<int:org_id>/inbox/<int:request_id>/", views.inbox_request, name="inbox_request"),
    path("o/<int:org_id>/inbox/<int:request_id>/accept/", views.request_accept, name="request_accept"),
    path("o/<int:org_id>/inbox/<int:request_id>/decline/", views.request_decline, name="request_decline"),
    path("o/<int:org_id>/inbox/<int:request_id>/share/", views.request_share, name="request_share"),
    path("o/<int:org_id>/shares/", views.shares, name="shares"),
    path("o/<int:org_id>/shares/<int:share_id>/withdraw/", views.share_withdraw, name="share_withdraw"),
    # The invitation link, before the invited company is on Keiretsu
    path("supplier-invitations/<str:token>/", views.invitation, name="invitation"),
]
