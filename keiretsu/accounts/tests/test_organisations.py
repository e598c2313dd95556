import pytest
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent, Membership, Organisation, Role, Scope
from keiretsu.conftest import client_for, make_user
from keiretsu.lib import corporate_number

pytestmark = pytest.mark.django_db


def test_corporate_number_check_digit():
    assert corporate_number.is_valid("7000012050002")  # 国税庁
    assert corporate_number.is_valid("1180301018771")
    assert not corporate_number.is_valid("2180301018771")  # wrong check digit
    assert not corporate_number.is_valid("118030101877")  # 12 digits
    assert corporate_number.normalise("１１８０-３０１０-１８７７１") == "1180301018771"


def test_a_wrong_check_digit_is_refused_with_a_message(alice):
    response = client_for(alice).post(
        reverse("accounts:organisation_create"),
        {"name": "X", "corporate_number": "2180301018771", "size_band": "small", "business_type": "parts", "tier": "1"},
    )
    assert response.status_code == 200
    assert "check digit" in response.content.decode() or "チェックデジット" in response.content.decode()
    assert not Organisation.objects.exists()


def test_production_settings_hash_passwords_with_argon2():
    from django.conf import settings as project_settings
    from keiretsu import settings as module

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert project_settings.AUTH_USER_MODEL == "accounts.User"


def test_owner_updates_the_organisation_and_it_is_audited(alpha, alice):
    url = reverse("accounts:organisation_settings", args=[alpha.pk])
    response = client_for(alice).post(url, {"name": "Alpha Parts Co.", "corporate_number": alpha.corporate_number,
                                             "size_band": "large", "business_type": "parts", "tier": "1"})
    assert response.status_code == 302
    alpha.refresh_from_db()
    assert (alpha.name, alpha.size_band) == ("Alpha Parts Co.", "large")
    assert alpha.company_scope.name == "Alpha Parts Co."
    event = AuditEvent.objects.get(event="organisation.updated")
    assert event.before["size_band"] == "medium" and event.after["size_band"] == "large"


@pytest.mark.parametrize("persona", ["bob", "vera"])
def test_only_owners_change_the_organisation(request, alpha, persona):
    user = request.getfixturevalue(persona)
    url = reverse("accounts:organisation_settings", args=[alpha.pk])
    assert client_for(user).post(url, {"name": "Hacked", "corporate_number": alpha.corporate_number,
                                       "size_band": "large", "business_type": "parts", "tier": "1"}).status_code == 403
    alpha.refresh_from_db()
    assert alpha.name == "Alpha Parts"


def test_factories_and_lines(alpha, alice):
    client = client_for(alice)
    url = reverse("accounts:scopes", args=[alpha.pk])
    assert client.post(url, {"kind": "factory", "name": "浜松工場"}).status_code == 302
    factory = Scope.objects.get(kind="factory")
    assert factory.parent == alpha.company_scope
    assert client.post(url, {"kind": "line", "name": "第1ライン", "parent": factory.pk}).status_code == 302
    line = Scope.objects.get(kind="line")
    assert line.parent == factory and line.display_name == "浜松工場 / 第1ライン"
    # A line needs a factory; a duplicate name is refused.
    assert client.post(url, {"kind": "line", "name": "第2ライン"}).status_code == 200
    assert client.post(url, {"kind": "factory", "name": "浜松工場"}).status_code == 200
    assert Scope.objects.filter(organisation=alpha).count() == 3
    assert AuditEvent.objects.filter(event="scope.created").count() == 2


def test_a_line_cannot_hang_under_another_organisations_factory(alpha, beta, alice, mallory):
    beta_factory = Scope.objects.create(organisation=beta, kind="factory", name="Beta F", parent=beta.company_scope)
    response = client_for(alice).post(
        reverse("accounts:scopes", args=[alpha.pk]), {"kind": "line", "name": "L", "parent": beta_factory.pk}
    )
    assert response.status_code == 200  # the form offers only Alpha's factories
    assert not Scope.objects.filter(kind="line").exists()


def test_a_person_can_belong_to_several_organisations_and_switch(alpha, beta, alice, mallory):
    Membership.objects.create(user=alice, organisation=beta, role=Role.VIEWER)
    client = client_for(alice)
    assert client.get(reverse("assessments:dashboard", args=[beta.pk])).status_code == 200
    page = client.get(reverse("assessments:dashboard", args=[alpha.pk])).content.decode()
    assert "Beta Motors" in page and "Alpha Parts" in page  # both in the switcher
    assert client.get(reverse("home"))["Location"] == reverse("assessments:dashboard", args=[alpha.pk])


def test_a_new_user_without_organisation_is_asked_to_register_one(client):
    user = make_user("new@example.jp")
    client.force_login(user)
    assert client.get(reverse("home"))["Location"] == reverse("accounts:organisation_create")
