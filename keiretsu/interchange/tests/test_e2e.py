"""In a real Chromium: download the checksheet, fill it offline, upload it, fix what the page
points out, check the preview, save."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from keiretsu.assessments.models import Answer

from . import samples

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}
    ])


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_export_fill_and_reimport_a_checksheet(live_server, page, factory_assessment, alice):
    sign_in(page, live_server, alice)
    base = f"{live_server.url}/o/{factory_assessment.organisation_id}/assessments/{factory_assessment.pk}"
    page.goto(f"{base}/checksheet/import/")
    assert page.locator("h1").inner_text() == "記入済みチェックシートの取り込み"

    with page.expect_download() as download_info:
        page.click("#download-checksheet")
    download = download_info.value
    assert download.suggested_filename == "Hamamatsu_jama-factory-0.9_FY2025_checksheet.xlsx"
    exported = Path(download.path()).read_bytes()

    # Filled offline, with a □ still without its reason: imported as a draft, with one warning
    # (the reason is needed before submitting, as on the web page).
    draft = samples.fill_checksheet(exported, {"6": ("○", "", "手順書あり"), "7": ("□", "", ""), "8": ("×", "", "")})
    page.set_input_files("input[type=file]", files=[{"name": "filled.xlsx", "mimeType": XLSX, "buffer": draft}])
    page.click("button[type=submit].primary")
    page.wait_for_url("**/checksheet/import/*/")
    warning = page.locator(".message.warning").inner_text()
    assert "No.7" in warning and "下書き" in warning
    assert Answer.objects.filter(assessment=factory_assessment, item__number__in=["6", "7", "8"]).count() == 0
    assert "3 件の変更を保存" in page.locator("form.confirm").inner_text()
    page.click("form.confirm button[value=apply]")
    page.wait_for_url(f"{base}/")
    assert Answer.objects.get(assessment=factory_assessment, item__number="7").reason == ""

    # The reason written offline afterwards: one change.
    page.goto(f"{base}/checksheet/import/")
    fixed = samples.fill_checksheet(exported, {"6": ("○", "", "手順書あり"), "7": ("□", "来期に対応", ""), "8": ("×", "", "")})
    page.set_input_files("input[type=file]", files=[{"name": "filled.xlsx", "mimeType": XLSX, "buffer": fixed}])
    page.click("button[type=submit].primary")
    page.wait_for_url("**/checksheet/import/*/")
    assert page.locator("table.import-changes tbody tr").count() == 1
    page.click("form.confirm button[value=apply]")
    page.wait_for_url(f"{base}/")
    assert "チェックシートを取り込みました: 1 件の回答を変更しました。" in page.locator(".messages").inner_text()

    stored = dict(Answer.objects.filter(assessment=factory_assessment).values_list("item__number", "rating"))
    assert (stored["6"], stored["7"], stored["8"]) == ("○", "□", "×")
    assert Answer.objects.get(assessment=factory_assessment, item__number="7").reason == "来期に対応"
