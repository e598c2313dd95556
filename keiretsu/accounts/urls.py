from allauth.account import views as allauth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # Sign-in, sign-up and the rest are allauth's (keiretsu/urls.py: /accounts/); these names
    # are kept for the links of the other apps.
    path("accounts/login/", allauth_views.login, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("accounts/signup/", allauth_views.signup, name="sign_up"),
    # Removing a second factor: allauth's views, behind Keiretsu's "keep the last one" rule.
    path("accounts/2fa/totp/deactivate/", views.totp_deactivate, name="totp_deactivate"),
    path("accounts/2fa/webauthn/keys/<int:pk>/remove/", views.security_key_remove, name="security_key_remove"),
    path("accounts/security/", views.account_security, name="security"),
    path("accounts/security/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("o/<int:org_id>/settings/security/", views.organisation_security, name="organisation_security"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("o/<int:org_id>/settings/", views.organisation_settings, name="organisation_settings"),
    path("o/<int:org_id>/sites/", views.scopes, name="scopes"),
    path("o/<int:org_id>/sites/<int:scope_id>/", views.scope_rename, name="scope_rename"),
    path("o/<int:org_id>/members/", views.members, name="members"),
    path("o/<int:org_id>/members/<int:member_id>/role/", views.member_role, name="member_role"),
    path("o/<int:org_id>/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path("o/<int:org_id>/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("o/<int:org_id>/audit/", views.audit_log, name="audit_log"),
    path("o/<int:org_id>/audit/export.csv", views.audit_log_export, name="audit_log_export"),
]
