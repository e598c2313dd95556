"""Reads about organisations and people, always from the point of view of a member."""

from django.http import Http404

from .models import AuditEvent, MemberInvitation, Membership, Scope


def memberships_of(user):
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def membership_for(user, organisation_id) -> Membership:
    """The user's membership of that organisation; 404 when there is none (never 403)."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("organisation", "user").get(user=user, organisation_id=organisation_id)
    except Membership.DoesNotExist:
        raise Http404 from None


def members(membership):
    return Membership.objects.filter(organisation=membership.organisation).select_related("user").order_by(
        "user__email"
    )


def member_for(membership, member_id) -> Membership:
    try:
        return members(membership).get(pk=member_id)
    except Membership.DoesNotExist:
        raise Http404 from None


def open_invitations(membership):
    return MemberInvitation.objects.filter(
        organisation=membership.organisation, accepted_at=None, revoked_at=None
    ).select_related("invited_by")


def invitation_for(membership, invitation_id) -> MemberInvitation:
    try:
        return MemberInvitation.objects.get(organisation=membership.organisation, pk=invitation_id)
    except MemberInvitation.DoesNotExist:
        raise Http404 from None


def scopes(membership):
    """The company, its factories and their lines, in tree order."""
    all_scopes = list(Scope.objects.filter(organisation=membership.organisation).select_related("parent", "organisation"))
    children = {}
    for scope in all_scopes:
        children.setdefault(scope.parent_id, []).append(scope)
    ordered = []

    def walk(parent_id, depth):
        for scope in sorted(children.get(parent_id, []), key=lambda s: s.name):
            scope.depth = depth
            ordered.append(scope)
            walk(scope.pk, depth + 1)

    walk(None, 0)
    return ordered


def scope_for(membership, scope_id) -> Scope:
    try:
        return Scope.objects.select_related("parent", "organisation").get(
            organisation=membership.organisation, pk=scope_id
        )
    except Scope.DoesNotExist:
        raise Http404 from None


def audit_events(membership):
    return AuditEvent.objects.filter(organisation=membership.organisation).select_related("actor")
