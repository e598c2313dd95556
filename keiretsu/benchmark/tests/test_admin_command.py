"""The instance administrator makes an organisation an industry body: Django admin and `keiretsu benchmark`."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent, Organisation, User
from keiretsu.benchmark.models import Release
from keiretsu.conftest import client_for, give_totp

from .conftest import company_with_submission


@pytest.fixture
def admin_user(db):
    user = User.objects.create_superuser("root@instance.example", "not used in tests")
    give_totp(user)  # staff must have a second factor
    return user


def test_admin_action_marks_and_unmarks_with_audit(admin_user, alpha, beta):
    client = client_for(admin_user)
    url = reverse("admin:benchmark_industrybody_changelist")
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "mark_industry_body", "_selected_action": [alpha.pk, beta.pk]})
    assert response.status_code == 302
    assert set(Organisation.objects.filter(is_industry_body=True)) == {alpha, beta}
    event = AuditEvent.objects.get(organisation=alpha, event="benchmark.body_marked")
    assert event.actor == admin_user
    client.post(url, {"action": "unmark_industry_body", "_selected_action": [beta.pk]})
    assert set(Organisation.objects.filter(is_industry_body=True)) == {alpha}
    assert AuditEvent.objects.filter(organisation=beta, event="benchmark.body_unmarked").count() == 1


def test_admin_lists_read_only(admin_user, alpha):
    client = client_for(admin_user)
    change = client.get(reverse("admin:benchmark_industrybody_change", args=[alpha.pk]))
    assert change.status_code == 200
    assert b'name="name"' not in change.content  # nothing to edit here: only the actions change anything
    assert client.get(reverse("admin:benchmark_industrybody_add")).status_code == 403


def test_an_ordinary_user_has_no_admin(alice, alpha):
    response = client_for(alice).get(reverse("admin:benchmark_industrybody_changelist"))
    assert response.status_code == 302
    assert not Organisation.objects.filter(is_industry_body=True).exists()


def run(*args):
    out = io.StringIO()
    call_command("benchmark", *args, stdout=out)
    return out.getvalue()


def test_command_adds_lists_and_removes_bodies(alpha):
    assert "No industry body" in run("bodies")
    assert "is now an industry body" in run("body-add", alpha.corporate_number)
    assert "unchanged" in run("body-add", str(alpha.pk))
    assert alpha.corporate_number in run("bodies")
    assert AuditEvent.objects.filter(organisation=alpha, event="benchmark.body_marked", actor=None).exists()
    assert "no longer" in run("body-remove", alpha.corporate_number)
    with pytest.raises(CommandError, match="No organisation"):
        run("body-add", "0000000000000")


def test_command_recomputes_a_draft(round_, mini, iris, alice):
    for index in range(5):
        company_with_submission(f"Company {index}", round_, mini, "○○○○○○")
    assert "5 submissions" in run("recompute", str(round_.pk), str(mini.pk), "--as", iris.email)
    assert Release.objects.get().status == Release.Status.DRAFT
    with pytest.raises(CommandError, match="not a member"):
        run("recompute", str(round_.pk), str(mini.pk), "--as", alice.email)
