"""Reads about organisations and people, always from the point of view of a member."""

import datetime

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone

from .models import SECURITY_EVENTS, AuditEvent, MemberInvitation, Membership, Scope, User

# The audit log's filter value for every sign-in and account-security event (SECURITY_EVENTS).
SECURITY_FILTER = "security"


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
    """The organisation's members with, for the owners' review (priority item 2-⑤), whether
    each has a second factor (`has_mfa`); their last sign-in is `user.last_login`."""
    from allauth.mfa.models import Authenticator

    second_factors = Authenticator.objects.filter(
        user_id=OuterRef("user_id"), type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    )
    return (
        Membership.objects.filter(organisation=membership.organisation)
        .select_related("user")
        .annotate(has_mfa=Exists(second_factors))
        .order_by("user__email")
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


def audit_events(membership, *, actor=None, event="", date_from=None, date_to=None):
    """The organisation's audit rows, newest first, filtered by person, event type and dates
    (whole days in the local time zone, both ends included)."""
    events = AuditEvent.objects.filter(organisation=membership.organisation).select_related("actor")
    if actor is not None:
        events = events.filter(actor=actor)
    if event == SECURITY_FILTER:
        events = events.filter(event__in=SECURITY_EVENTS)
    elif event:
        events = events.filter(event=event)
    if date_from is not None:
        events = events.filter(created_at__gte=_start_of(date_from))
    if date_to is not None:
        events = events.filter(created_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return events


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def audit_actors(membership):
    """The people who appear in the organisation's audit log (for its filter)."""
    return User.objects.filter(
        pk__in=AuditEvent.objects.filter(organisation=membership.organisation).values("actor_id")
    ).order_by("name", "email")


def has_verified_email(user) -> bool:
    """Whether the person's address is verified (allauth's EmailAddress): nothing that reaches
    another organisation (creating or joining one, invitations, requests, API tokens, mail to
    outside addresses) happens before it is. docs/security.md."""
    if user is None or not user.is_authenticated:
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user_id=user.pk, email__iexact=user.email, verified=True).exists()


def sessions_of(user):
    """The person's signed-in sessions (browsers and devices), newest first."""
    from allauth.usersessions.models import UserSession

    return UserSession.objects.filter(user_id=user.pk).order_by("-created_at")
