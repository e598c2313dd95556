"""What the demo shows in the terminal and the browser: e-mails readable (not base64), the
product's own 404, the address it serves printed once with the sign-ins."""

import io

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command

from keiretsu.conftest import client_for
from keiretsu.demo.management.commands.demo_serve import banner
from keiretsu.lib.mail import ReadableConsoleBackend


def test_a_japanese_email_prints_readable():
    out = io.StringIO()
    backend = ReadableConsoleBackend(stream=out)
    message = EmailMessage("自己評価のご依頼", "デモ自動車株式会社から自己評価の依頼が届きました。\nhttp://127.0.0.1:8000/o/1/inbox/",
                           "keiretsu@localhost", ["taro@example.jp"])
    message.attach("a.csv", "x,y", "text/csv")
    assert backend.send_messages([message]) == 1
    printed = out.getvalue()
    assert "Subject: 自己評価のご依頼" in printed
    assert "デモ自動車株式会社から自己評価の依頼が届きました。" in printed
    assert "http://127.0.0.1:8000/o/1/inbox/" in printed
    assert "base64" not in printed and "Content-Transfer-Encoding" not in printed
    assert "[attachment a.csv" in printed


def test_the_default_backend_in_development_is_the_readable_one():
    from keiretsu import settings as project_settings  # as configured (the tests swap in locmem)

    assert project_settings.EMAIL_BACKEND_PATH == "keiretsu.lib.mail.ReadableConsoleBackend"


@pytest.mark.django_db
def test_a_missing_page_is_the_products_404_when_debug_pages_are_off(settings, alice, alpha, mallory, beta):
    settings.DEBUG, settings.DEBUG_ERROR_PAGES = True, False
    client = client_for(alice)
    for url in ("/no/such/page/", f"/o/{beta.pk}/"):  # no URL; another company's page
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "見つかりません" in page and "URLconf" not in page and "Traceback" not in page


@pytest.mark.django_db
def test_with_debug_pages_on_django_explains_a_missing_url(settings, alice, alpha):
    settings.DEBUG, settings.DEBUG_ERROR_PAGES = True, True
    response = client_for(alice).get("/no/such/page/")
    assert response.status_code == 404 and "URLconf" in response.content.decode()


def test_the_demo_banner_names_the_address_and_every_sign_in_once(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    text = banner("http://127.0.0.1:8123/")
    assert text.count("http://127.0.0.1:8123/") == 1
    for email in ("demo@example.com", "body@example.com", "admin@example.com"):
        assert text.count(email) == 1
    assert "エンタープライズ版" in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(set(lines))


@pytest.mark.django_db
def test_the_demo_commands_print_each_line_once(capsys):
    out = io.StringIO()
    call_command("demo_supplychain", stdout=out)  # runs `demo` first, silently
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert lines and len(lines) == len(set(lines))
    quiet = io.StringIO()
    call_command("demo_supplychain", stdout=quiet, verbosity=0)
    assert quiet.getvalue() == ""
    assert not mail.outbox or all(m.to for m in mail.outbox)
