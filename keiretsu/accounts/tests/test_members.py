import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from keiretsu.accounts import services
from keiretsu.accounts.models import AuditEvent, MemberInvitation, Membership, Role, Scope
from keiretsu.conftest import client_for, make_user, membership_of
from keiretsu.lib.refusals import NotFound

pytestmark = pytest.mark.django_db


def invite(client, organisation, email, role="assessor"):
    return client.post(reverse("accounts:members", args=[organisation.pk]), {"email": email, "role": role})


def link_in(message):
    return re.search(r"http://\S+/invitations/\S+/", message.body).group(0)


def test_invite_a_colleague_who_accepts(alpha, alice, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(alice), alpha, "Carol@Alpha.example", "viewer")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carol@alpha.example"]
    assert "Alpha Parts" in message.subject
    url = link_in(message)
    path = url.removeprefix("http://127.0.0.1:8000")

    carol = make_user("carol@alpha.example")
    client.force_login(carol)
    assert "Alpha Parts" in client.get(path).content.decode()
    assert client.post(path).status_code == 302
    assert membership_of(carol, alpha).role == Role.VIEWER
    assert AuditEvent.objects.filter(event="member.joined", actor=carol).exists()

    # The link works once.
    again = client.post(path)
    assert again.status_code == 410
    assert Membership.objects.filter(user=carol).count() == 1


def test_an_invitation_for_another_address_is_refused(alpha, alice, mallory, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(alice), alpha, "carol@alpha.example")
    path = link_in(mail.outbox[0]).removeprefix("http://127.0.0.1:8000")
    client.force_login(mallory)
    response = client.post(path)
    assert response.status_code == 409
    assert "carol@alpha.example" in response.content.decode()
    assert not Membership.objects.filter(user=mallory, organisation=alpha).exists()


def test_an_expired_invitation_is_refused(alpha, alice, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(alice), alpha, "carol@alpha.example")
    path = link_in(mail.outbox[0]).removeprefix("http://127.0.0.1:8000")
    MemberInvitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client.force_login(make_user("carol@alpha.example"))
    response = client.post(path)
    assert response.status_code == 410
    assert not Membership.objects.filter(user__email="carol@alpha.example").exists()


def test_an_invitation_is_valid_for_14_days(alpha, alice):
    invite(client_for(alice), alpha, "carol@alpha.example")
    invitation = MemberInvitation.objects.get()
    assert abs(invitation.expires_at - (timezone.now() + datetime.timedelta(days=14))) < datetime.timedelta(minutes=1)
    assert len(invitation.token_hash) == 64  # only the hash is stored


def test_a_withdrawn_invitation_is_refused(alpha, alice, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(alice), alpha, "carol@alpha.example")
    path = link_in(mail.outbox[0]).removeprefix("http://127.0.0.1:8000")
    invitation = MemberInvitation.objects.get()
    client_for(alice).post(reverse("accounts:invitation_revoke", args=[alpha.pk, invitation.pk]), {"confirmed": "1"})
    client.force_login(make_user("carol@alpha.example"))
    assert client.post(path).status_code == 410


def test_an_unknown_token_is_refused(client):
    assert client.get("/invitations/not-a-token/").status_code == 410


@pytest.mark.parametrize("persona", ["bob", "vera"])
def test_only_owners_invite(request, alpha, persona):
    response = invite(client_for(request.getfixturevalue(persona)), alpha, "x@alpha.example")
    assert response.status_code == 403
    assert not MemberInvitation.objects.exists()


def test_owner_changes_a_role_and_it_is_audited(alpha, alice, bob):
    member = membership_of(bob, alpha)
    client_for(alice).post(reverse("accounts:member_role", args=[alpha.pk, member.pk]), {"role": "owner"})
    assert membership_of(bob, alpha).role == Role.OWNER
    event = AuditEvent.objects.get(event="member.role_changed")
    assert (event.before, event.after) == ({"role": "assessor"}, {"role": "owner"})


def test_the_last_owner_cannot_leave_or_be_demoted(alpha, alice):
    member = membership_of(alice, alpha)
    client = client_for(alice)
    client.post(reverse("accounts:member_role", args=[alpha.pk, member.pk]), {"role": "viewer"})
    client.post(reverse("accounts:member_remove", args=[alpha.pk, member.pk]), {"confirmed": "1"})
    assert membership_of(alice, alpha).role == Role.OWNER


def test_owner_removes_a_member(alpha, alice, bob):
    member = membership_of(bob, alpha)
    client_for(alice).post(reverse("accounts:member_remove", args=[alpha.pk, member.pk]), {"confirmed": "1"})
    assert not Membership.objects.filter(user=bob, organisation=alpha).exists()
    assert client_for(bob).get(reverse("assessments:dashboard", args=[alpha.pk])).status_code == 404
    assert AuditEvent.objects.filter(event="member.removed").exists()


def test_an_owner_cannot_change_another_organisations_members(alpha, beta, alice, mallory):
    member = membership_of(alice, alpha)
    response = client_for(mallory).post(reverse("accounts:member_role", args=[beta.pk, member.pk]), {"role": "viewer"})
    assert response.status_code == 404
    assert membership_of(alice, alpha).role == Role.OWNER


def test_the_audit_log_is_for_owners(alpha, alice, bob):
    assert client_for(alice).get(reverse("accounts:audit_log", args=[alpha.pk])).status_code == 200
    assert client_for(bob).get(reverse("accounts:audit_log", args=[alpha.pk])).status_code == 403


def test_an_owner_renames_a_factory_and_the_log_says_so(alpha, alice, alpha_factory):
    owner = membership_of(alice, alpha)
    services.scope_rename(membership=owner, actor=alice, scope=alpha_factory, name="  浜松第二工場 ")
    alpha_factory.refresh_from_db()
    assert alpha_factory.name == "浜松第二工場"
    event = AuditEvent.objects.get(event="scope.updated")
    assert (event.actor, event.before, event.after) == (alice, {"name": "Hamamatsu"}, {"name": "浜松第二工場"})
    services.scope_rename(membership=owner, actor=alice, scope=alpha_factory, name="浜松第二工場")  # unchanged
    assert AuditEvent.objects.filter(event="scope.updated").count() == 1


def test_renaming_refuses_a_duplicate_an_empty_name_and_the_company_scope(alpha, alice, bob, alpha_factory):
    owner = membership_of(alice, alpha)
    services.scope_create(membership=owner, actor=alice, kind=Scope.Kind.FACTORY, name="Iwata")
    for scope, name, field in ((alpha_factory, "Iwata", "name"), (alpha_factory, "  ", "name"), (alpha.company_scope, "X", "name")):
        with pytest.raises(ValidationError) as caught:
            services.scope_rename(membership=owner, actor=alice, scope=scope, name=name)
        assert field in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.scope_rename(membership=membership_of(bob, alpha), actor=bob, scope=alpha_factory, name="Bob's")
    alpha_factory.refresh_from_db()
    assert alpha_factory.name == "Hamamatsu" and not AuditEvent.objects.filter(event="scope.updated").exists()


def test_another_organisations_owner_cannot_touch_its_scopes_invitations_or_members(alpha, alice, bob, alpha_factory, beta, mallory):
    """Defence in depth behind the selectors: a 404, nothing changed, nothing logged."""
    invitation, _token = services.member_invite(
        membership=membership_of(alice, alpha), actor=alice, email="carol@alpha.example", role=Role.VIEWER
    )
    other = {"membership": membership_of(mallory, beta), "actor": mallory}
    bob_member = Membership.objects.get(user=bob, organisation=alpha)
    rows = AuditEvent.objects.count()
    for call in (
        lambda: services.scope_rename(**other, scope=alpha_factory, name="Mine"),
        lambda: services.invitation_revoke(**other, invitation=invitation),
        lambda: services.membership_change_role(**other, member=bob_member, role=Role.OWNER),
        lambda: services.membership_remove(**other, member=bob_member),
    ):
        with pytest.raises(NotFound):
            call()
    alpha_factory.refresh_from_db()
    invitation.refresh_from_db()
    bob_member.refresh_from_db()
    assert (alpha_factory.name, invitation.revoked_at, bob_member.role) == ("Hamamatsu", None, Role.ASSESSOR)
    assert AuditEvent.objects.count() == rows
