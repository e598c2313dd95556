from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.decorators import reauthentication_required
from allauth.mfa.totp import views as totp_views
from allauth.mfa.webauthn import views as webauthn_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keiretsu.lib import spreadsheets
from keiretsu.lib.refusals import BadInput

from . import audit_display, security, selectors, services
from .access import member_view
from .forms import (
    AuditFilterForm,
    InviteForm,
    OrganisationForm,
    RenameScopeForm,
    RequireMfaForm,
    RoleForm,
    ScopeForm,
)
from .models import Scope


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("%(name)s has been created. You are its owner.") % {"name": organisation.name})
        return redirect("assessments:dashboard", org_id=organisation.pk)
    return render(request, "accounts/organisation_form.html", {"form": form, "creating": True})


@member_view
def organisation_settings(request, membership):
    if not membership.can_manage:
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=membership.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(membership=membership, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The organisation's details have been saved."))
            return redirect("accounts:organisation_settings", org_id=membership.organisation_id)
    return render(request, "accounts/organisation_form.html", {"form": form, "creating": False})


@member_view
def scopes(request, membership):
    form = ScopeForm(request.POST or None, organisation=membership.organisation)
    if request.method == "POST":
        if not membership.can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                scope = services.scope_create(
                    membership=membership,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data.get("parent"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(name)s has been added.") % {"name": scope.display_name})
                return redirect("accounts:scopes", org_id=membership.organisation_id)
    return render(request, "accounts/scopes.html", {"scopes": selectors.scopes(membership), "form": form})


@member_view
def scope_rename(request, membership, scope_id):
    scope = selectors.scope_for(membership, scope_id)
    if not membership.can_manage or scope.kind == Scope.Kind.COMPANY:
        raise PermissionDenied
    form = RenameScopeForm(request.POST or None, initial={"name": scope.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.scope_rename(membership=membership, actor=request.user, scope=scope, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("accounts:scopes", org_id=membership.organisation_id)
    return render(request, "accounts/scope_rename.html", {"scope": scope, "form": form})


@member_view
@reauthentication_required(allow_get=True)
def members(request, membership):
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not membership.can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                invitation, _token = services.member_invite(
                    membership=membership, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email})
                return redirect("accounts:members", org_id=membership.organisation_id)
    return render(
        request,
        "accounts/members.html",
        {
            "members": selectors.members(membership),
            "invitations": selectors.open_invitations(membership) if membership.can_manage else [],
            "form": form,
            "role_form": RoleForm(),
        },
    )


@require_POST
@member_view
@reauthentication_required
def member_role(request, membership, member_id):
    member = selectors.member_for(membership, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
    else:
        try:
            services.membership_change_role(
                membership=membership, actor=request.user, member=member, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The role of %(email)s has been changed.") % {"email": member.user.email})
    return redirect("accounts:members", org_id=membership.organisation_id)


@require_POST
@member_view
@reauthentication_required
def member_remove(request, membership, member_id):
    member = selectors.member_for(membership, member_id)
    try:
        services.membership_remove(membership=membership, actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:members", org_id=membership.organisation_id)
    if member.user_id == request.user.id:
        return redirect("home")
    messages.success(request, _("%(email)s has been removed.") % {"email": member.user.email})
    return redirect("accounts:members", org_id=membership.organisation_id)


@require_POST
@member_view
@reauthentication_required
def invitation_revoke(request, membership, invitation_id):
    invitation = selectors.invitation_for(membership, invitation_id)
    services.invitation_revoke(membership=membership, actor=request.user, invitation=invitation)
    messages.success(request, _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email})
    return redirect("accounts:members", org_id=membership.organisation_id)


def invitation_accept(request, token):
    try:
        invitation = services.invitation_by_token(token)
    except services.InvitationProblem as exc:
        return render(request, "accounts/invitation.html", {"problem": str(exc)}, status=410)
    if not request.user.is_authenticated:
        # Whoever opened this link reads the invited address's mail: signing up with that
        # address needs no second verification (allauth's stash).
        get_account_adapter().stash_verified_email(request, invitation.email)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(user=request.user, token=token)
        except services.InvitationProblem as exc:
            return render(request, "accounts/invitation.html", {"problem": str(exc), "invitation": invitation}, status=409)
        messages.success(request, _("Welcome to %(name)s.") % {"name": membership.organisation.name})
        return redirect("assessments:dashboard", org_id=membership.organisation_id)
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": invitation,
            "here": request.get_full_path(),
            "sign_up_url": reverse("accounts:sign_up") + "?" + _query(next=request.get_full_path(), email=invitation.email),
            "sign_in_url": reverse("accounts:login") + "?" + _query(next=request.get_full_path()),
        },
    )


def _query(**params):
    return urlencode(params)


@member_view
def audit_log(request, membership):
    if not membership.can_manage:
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, membership=membership)
    invalid = form.is_bound and not form.is_valid()
    events = selectors.audit_events(membership, **form.filters())
    page = Paginator(events.none() if invalid else events, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [audit_display.readable(event) for event in page],
        "query": urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v]),
    }
    return render(request, "accounts/audit_log.html", context, status=400 if invalid else 200)


@member_view
def audit_log_export(request, membership):
    """The filtered log as CSV (formula-safe: lib.spreadsheets), one row per event."""
    if not membership.can_manage:
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, membership=membership)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('accounts:audit_log', args=[membership.organisation_id])}?{request.GET.urlencode()}")
    header = [_("When"), _("Who"), _("Event"), _("What happened"), _("Concerning"), _("Changes")]

    def rows():
        for event in selectors.audit_events(membership, **form.filters()).iterator(chunk_size=500):
            line = audit_display.readable(event)
            changes = "\n".join(
                _("%(field)s: %(before)s → %(after)s") % {"field": c.label, "before": c.before or "—", "after": c.after or "—"}
                for c in line.changes
            )
            yield [line.at.strftime("%Y-%m-%d %H:%M:%S"), line.actor, line.event_label, line.sentence, line.target, changes]

    name = f"audit-{membership.organisation.corporate_number}-{timezone.localdate():%Y%m%d}.csv"
    return spreadsheets.csv_response([header, *rows()], name)


@login_required
def account_security(request):
    """The person's own account: address, password, second factors, sessions."""
    return render(
        request,
        "accounts/security.html",
        {
            "has_mfa": security.session_has_mfa(request),
            "mfa_reason": security.mfa_required_reason(request.user),
            "sessions": selectors.sessions_of(request.user),
            "idle": settings.SESSION_IDLE_MINUTES,
            "max": settings.SESSION_MAX_HOURS,
        },
    )


@require_POST
@login_required
def sign_out_everywhere(request):
    security.sign_out_everywhere(request=request, user=request.user)
    messages.success(request, _("You have been signed out on every device."))
    return redirect("accounts:login")


@member_view
@reauthentication_required
def organisation_security(request, membership):
    """The organisation's security settings: require a second factor of every member."""
    if not membership.can_manage:
        raise PermissionDenied
    organisation = membership.organisation
    form = RequireMfaForm(request.POST or None, initial={"require_mfa": organisation.require_mfa})
    if request.method == "POST" and form.is_valid():
        try:
            security.organisation_set_require_mfa(
                membership=membership, actor=request.user, require=form.cleaned_data["require_mfa"]
            )
        except BadInput as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The security settings have been saved."))
            return redirect("accounts:organisation_security", org_id=organisation.pk)
    return render(
        request,
        "accounts/organisation_security.html",
        {
            "form": form,
            "without_mfa": security.members_without_mfa(organisation),
            "has_mfa": security.session_has_mfa(request),
        },
    )


def _keep_last_second_factor(allauth_view, authenticator_of):
    """allauth's removal of a second factor, refused with the reason when it is the last one
    of someone who must have one (security.mfa_removal_problem): staff, or a member of an
    organisation that requires it. allauth asks for re-authentication before removing."""

    @login_required
    def view(request, *args, **kwargs):
        authenticator = authenticator_of(request, **kwargs)
        problem = security.mfa_removal_problem(authenticator) if authenticator is not None else ""
        if problem:
            messages.error(request, problem)
            return redirect("mfa_index")
        return allauth_view(request, *args, **kwargs)

    return view


def _totp_of(request):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).first()


def _security_key_of(request, pk):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=request.user, type=Authenticator.Type.WEBAUTHN, pk=pk).first()


totp_deactivate = _keep_last_second_factor(totp_views.deactivate_totp, _totp_of)
security_key_remove = _keep_last_second_factor(webauthn_views.remove_webauthn, _security_key_of)
