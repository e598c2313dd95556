"""No mail relay (issue 8, finding 2).

The review's scenario: a fresh account names its organisation "トヨタ自動車株式会社 調達本部",
uploads a 5,000-row supplier CSV, and the instance sends one invitation per row at once, with
the attacker's name and free text in the subject and body. Now: e-mail to other companies only
for verified organisations (and accounts), within a daily limit, with fixed subjects, user text
only as a marked quotation, links only to the instance, and a preview before anything is sent.
"""

import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keiretsu.accounts.models import AuditEvent, Role
from keiretsu.conftest import add_member, client_for, make_organisation, make_user, membership_of
from keiretsu.lib.corporate_number import with_check_digit
from keiretsu.lib.refusals import Refusal
from keiretsu.supplychain import outgoing, reminders, services
from keiretsu.supplychain.models import AssessmentRequest, Reminder, Supplier, SupplierImport, SupplierInvitation

from .scenario import DUE, TODAY, add_supplier, company, inbox_request, now_local, send_requests

pytestmark = pytest.mark.django_db

SITE = "https://keiretsu.example"
PHISHING = "至急: 支払口座変更のお知らせ http://evil.example/pay 振込先は pay@evil.example まで"
IMPERSONATED = "トヨタ自動車株式会社 調達本部 " + "（お支払いに関する重要なお知らせ）" * 3


def supplier_csv(rows: int, start: int = 0) -> bytes:
    lines = ["会社名,法人番号,メールアドレス"]
    for n in range(start, start + rows):
        lines.append(f"仕入先{n},{with_check_digit(f'{820000000000 + n:012d}')},buyer{n}@victim{n}.example")
    return "\r\n".join(lines).encode()


def links(body: str) -> list[str]:
    return re.findall(r"(?i)\b(?:https?|hxxps?)\S*", body)


@pytest.fixture
def attacker():
    user = make_user("new@attacker.example")
    return make_organisation(user, IMPERSONATED, "850000000005", verified=False), user


def test_an_unverified_organisation_uploading_5000_rows_sends_nothing(attacker, django_capture_on_commit_callbacks):
    organisation, user = attacker
    client = client_for(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("supplychain:supplier_import", args=[organisation.pk]),
            {"file": SimpleUploadedFile("list.csv", supplier_csv(5000))},
        )
        assert response.status_code == 302  # checked whole, kept for the preview
        preview = client.get(response["Location"]).content.decode()
        assert "5000 件の招待をメールで送ります。" in preview
        assert "貴組織は法人番号の会社としてまだ確認されていないため" in preview
        pending = SupplierImport.objects.get()
        confirm = client.post(reverse("supplychain:supplier_import_confirm", args=[organisation.pk, pending.pk]))
    assert confirm.status_code == 302
    assert mail.outbox == []
    assert not Supplier.objects.exists() and not SupplierInvitation.objects.exists()


def test_an_unverified_organisation_cannot_invite_one_supplier_either(attacker, django_capture_on_commit_callbacks):
    organisation, user = attacker
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(
            reverse("supplychain:supplier_add", args=[organisation.pk]),
            {
                "name": "Victim",
                "corporate_number": with_check_digit("860000000006"),
                "contact_email": "buyer@victim.example",
                "criticality": 2,
                "language": "ja",
                "note": PHISHING,
            },
        )
    assert response.status_code == 200
    assert "まだ確認されていません" in response.content.decode()
    assert mail.outbox == [] and not Supplier.objects.exists()


def test_the_preview_sends_nothing_until_confirmed_then_everything_at_once(django_capture_on_commit_callbacks):
    customer, owner = company("Honest Motors")
    listed, _ = company("Listed Parts")  # verified on Keiretsu: linked, not invited
    data = supplier_csv(3) + f"\r\nListed Parts,{listed.corporate_number},x@listed.example".encode()
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        preview_url = client.post(
            reverse("supplychain:supplier_import", args=[customer.pk]), {"file": SimpleUploadedFile("s.csv", data)}
        )["Location"]
        page = client.get(preview_url).content.decode()
    assert "4 社を仕入先一覧に追加します。" in page and "3 件の招待をメールで送ります。" in page
    assert "紐付け（確認済み）" in page and "取り込んで招待を 3 通送る" in page
    assert mail.outbox == [] and not Supplier.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(preview_url + "confirm/")
    assert Supplier.objects.filter(customer=customer).count() == 4
    assert sorted(m.to[0] for m in mail.outbox) == ["buyer0@victim0.example", "buyer1@victim1.example", "buyer2@victim2.example"]
    assert outgoing.sent_today(customer) == 3


def test_the_daily_limit_refuses_a_whole_file_with_a_clear_message(settings, django_capture_on_commit_callbacks):
    settings.OUTSIDE_MAIL_DAILY_LIMIT = 4
    customer, owner = company("Busy Motors")
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        preview_url = client.post(
            reverse("supplychain:supplier_import", args=[customer.pk]),
            {"file": SimpleUploadedFile("s.csv", supplier_csv(5))},
        )["Location"]
        page = client.get(preview_url).content.decode()
        assert "貴組織が今日送れる数を超えています" in page
        with pytest.raises(services.MailLimitReached, match="あと 4 通"):
            services.suppliers_import_confirm(
                membership=membership_of(owner, customer), actor=owner, pending=SupplierImport.objects.get()
            )
    assert mail.outbox == [] and not Supplier.objects.exists()
    # Four go through; the fifth, one by one, is refused with the limit in the message.
    with django_capture_on_commit_callbacks(execute=True):
        services.suppliers_import(membership=membership_of(owner, customer), actor=owner, data=supplier_csv(4))
    response = client_for(owner).post(
        reverse("supplychain:supplier_add", args=[customer.pk]),
        {"name": "Fifth", "corporate_number": with_check_digit("870000000007"), "contact_email": "f@fifth.example",
         "criticality": 2, "language": "ja"},
    )
    assert "上限は 1 日 4 通" in response.content.decode()
    assert Supplier.objects.filter(customer=customer).count() == 4 and len(mail.outbox) == 4


def test_the_limit_is_per_organisation_and_per_day(settings, django_capture_on_commit_callbacks):
    settings.OUTSIDE_MAIL_DAILY_LIMIT = 1
    first, first_owner = company("First Motors")
    second, second_owner = company("Second Motors")
    with time_machine.travel(now_local(TODAY), tick=False):
        services.suppliers_import(membership=membership_of(first_owner, first), actor=first_owner, data=supplier_csv(1))
        services.suppliers_import(membership=membership_of(second_owner, second), actor=second_owner, data=supplier_csv(1, 1))
        with pytest.raises(services.MailLimitReached):
            services.suppliers_import(membership=membership_of(first_owner, first), actor=first_owner, data=supplier_csv(1, 2))
    with time_machine.travel(now_local(TODAY.replace(day=2)), tick=False):
        services.suppliers_import(membership=membership_of(first_owner, first), actor=first_owner, data=supplier_csv(1, 2))


def test_subjects_are_fixed_text_and_user_text_is_a_quotation_without_links(
    priority_edition, django_capture_on_commit_callbacks
):
    customer, owner = company("x" * 10)
    customer.name = IMPERSONATED
    customer.save()
    supplier_org, supplier_owner = company("Supplier Works")
    entry = add_supplier(customer, owner, supplier_org)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.requests_send(
            membership=membership_of(owner, customer),
            actor=owner,
            suppliers=[entry],
            editions=[priority_edition],
            fiscal_year=2026,
            due_date=DUE,
            message=PHISHING,
            today=TODAY,
        )
    (notice,) = mail.outbox  # in the supplier contact's language (Japanese)
    assert notice.subject.startswith("Keiretsu：") and notice.subject.endswith(" からサイバーセキュリティ自己評価のご依頼")
    name_in_subject = notice.subject.removeprefix("Keiretsu：").removesuffix(" からサイバーセキュリティ自己評価のご依頼")
    assert len(name_in_subject) == 40 and name_in_subject.endswith("…")
    assert "至急" not in notice.subject and "evil" not in notice.subject
    # The message only inside the marked quotation, its link and address unclickable.
    assert "> 至急: 支払口座変更のお知らせ hxxp[:]//evil[.]example/pay 振込先は pay[at]evil[.]example まで" in notice.body
    assert "（メッセージここまで）" in notice.body and "Keiretsu は内容を確認していません" in notice.body
    assert all(link.startswith(SITE) for link in links(notice.body) if link.lower().startswith("http"))
    assert "http://evil" not in notice.body and "pay@evil" not in notice.body
    assert f"送信者：{owner.email}" in notice.body


def test_every_invitation_names_the_address_that_sent_it(alpha, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.supplier_add(
            membership=membership_of(alice, alpha),
            actor=alice,
            name="Evil http://evil.example",
            corporate_number=with_check_digit("880000000008"),
            contact_email="buyer@victim.example",
            language="en",
        )
    (invitation,) = mail.outbox
    assert invitation.subject == "Keiretsu: invitation to a cybersecurity self-assessment from Alpha Parts"
    assert "Sent by alice@alpha.example, an address verified on Keiretsu, for Alpha Parts" in invitation.body
    assert "evil" not in invitation.body  # the name the customer typed is not in the e-mail
    assert [link for link in links(invitation.body)] and all(link.startswith(SITE) for link in links(invitation.body))


def test_a_decline_reason_is_quoted_without_links(django_capture_on_commit_callbacks, priority_edition):
    customer, owner = company("Customer Motors")
    supplier_org, supplier_owner = company("Supplier Works")
    entry = add_supplier(customer, owner, supplier_org)
    send_requests(customer, owner, [entry], [priority_edition])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_decline(
            membership=membership_of(supplier_owner, supplier_org),
            actor=supplier_owner,
            request=inbox_request(supplier_org, customer, priority_edition),
            reason=PHISHING,
        )
    (notice,) = mail.outbox
    assert notice.subject == "Keiretsu：Supplier Works が自己評価の依頼を辞退しました"
    assert "> 至急" in notice.body and "http://evil" not in notice.body


def test_request_notices_and_nudges_count_against_the_limit(settings, priority_edition):
    settings.OUTSIDE_MAIL_DAILY_LIMIT = 2
    with time_machine.travel(now_local(TODAY), tick=False):
        customer, owner = company("Customer Motors")
        entries = [add_supplier(customer, owner, company(f"Supplier {n}")[0]) for n in range(3)]
        with pytest.raises(services.MailLimitReached):
            send_requests(customer, owner, entries, [priority_edition])
        assert not AssessmentRequest.objects.exists()  # nothing was sent, nothing kept
        (first, _second) = send_requests(customer, owner, entries[:2], [priority_edition])
        assert outgoing.sent_today(customer) == 2
        with pytest.raises(services.MailLimitReached):
            reminders.reminder_nudge(membership=membership_of(owner, customer), actor=owner, request=first, today=TODAY)
    assert not Reminder.objects.exists()


def test_the_reminder_sweep_leaves_what_is_over_the_limit_for_the_next_day(settings, priority_edition):
    customer, owner = company("Customer Motors")
    with time_machine.travel(now_local(TODAY), tick=False):
        entries = [add_supplier(customer, owner, company(f"Supplier {n}")[0]) for n in range(3)]
        send_requests(customer, owner, entries, [priority_edition])
    settings.OUTSIDE_MAIL_DAILY_LIMIT = 1
    mail.outbox.clear()
    day = DUE.replace(day=16)
    with time_machine.travel(now_local(day), tick=False):
        assert reminders.send_due(day) == {"claimed": 1, "sent": 1}
    with time_machine.travel(now_local(day.replace(day=17)), tick=False):
        assert reminders.send_due(day.replace(day=17)) == {"claimed": 1, "sent": 1}
    assert len(mail.outbox) == 2 and Reminder.objects.count() == 2


def test_an_account_without_a_verified_address_sends_nothing(alpha, django_capture_on_commit_callbacks):
    carol = make_user("carol@alpha.example", verified=False)
    add_member(alpha, carol, Role.ASSESSOR)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refusal):
        services.supplier_add(
            membership=membership_of(carol, alpha),
            actor=carol,
            name="Someone",
            corporate_number=with_check_digit("890000000009"),
            contact_email="someone@example.jp",
        )
    assert not outgoing.account_verified(carol)
    assert not Supplier.objects.exists() and mail.outbox == []


def test_a_member_invitation_has_a_fixed_subject_and_names_its_sender(attacker, django_capture_on_commit_callbacks):
    from keiretsu.accounts import services as account_services

    organisation, user = attacker
    with django_capture_on_commit_callbacks(execute=True):
        account_services.member_invite(
            membership=membership_of(user, organisation), actor=user, email="colleague@example.jp", role="viewer"
        )
    (message,) = mail.outbox
    name = message.subject.removeprefix("Invitation to ").removesuffix(" on Keiretsu")
    assert len(name) == 40 and name.startswith("トヨタ自動車株式会社 調達本部") and name.endswith("…")
    assert "new@attacker.example invites you" in message.body
    assert AuditEvent.objects.filter(event="member.invited").count() == 1
