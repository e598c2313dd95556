"""The import pages and the downloads: who may use them, what they show, what they refuse."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer
from keiretsu.conftest import client_for, membership_of
from keiretsu.interchange.checksheet_export import export_checksheet
from keiretsu.interchange.models import ChecksheetImport, PendingStatus
from keiretsu.interchange.selectors import assessment_data

from . import samples

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def base(assessment):
    return f"/o/{assessment.organisation_id}/assessments/{assessment.pk}/"


def post_file(client, assessment, data, name="filled.xlsx"):
    return client.post(f"{base(assessment)}checksheet/import/", {"file": SimpleUploadedFile(name, data)})


def ratings(assessment):
    return dict(Answer.objects.filter(assessment=assessment).values_list("item__number", "rating"))


def test_upload_preview_confirm(factory_assessment, alice, django_assert_max_num_queries):
    client = client_for(alice)
    page = client.get(f"{base(factory_assessment)}checksheet/import/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "記入済みチェックシートの取り込み" in text and f'href="{base(factory_assessment)}checksheet.xlsx"' in text

    filled = samples.fill_checksheet(export_checksheet(assessment_data(factory_assessment)), {
        "2": ("○", "", ""), "6": ("×", "", ""), "7": ("△", "", "")
    })
    response = post_file(client, factory_assessment, filled)
    pending = ChecksheetImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{base(factory_assessment)}checksheet/import/{pending.pk}/"
    assert ratings(factory_assessment)["2"] == "□"  # nothing written yet

    with django_assert_max_num_queries(10):
        preview = client.get(response["Location"])
    text = preview.content.decode()
    assert "ファイルを確認しました: 63 項目すべてに問題はありません。" in text
    assert '<div class="figure"><strong>2</strong><span>新しく記入された評価</span></div>' in text
    assert '<div class="figure"><strong>1</strong><span>変更される評価</span></div>' in text
    assert "<td>No.2</td>" in text and "<td>No.6</td>" in text and "<td>No.7</td>" in text
    assert "3 件の変更を保存" in text

    done = client.post(response["Location"], {"action": "apply"}, follow=True)
    assert done.redirect_chain[-1][0] == base(factory_assessment)
    assert "チェックシートを取り込みました: 3 件の回答を変更しました。" in done.content.decode()
    assert {k: v for k, v in ratings(factory_assessment).items() if k in ("2", "6", "7")} == {"2": "○", "6": "×", "7": "△"}
    again = client.get(response["Location"]).content.decode()
    assert "この取り込みは反映済みです。" in again and "件の変更を保存" not in again


def test_discard_changes_nothing(factory_assessment, alice):
    client = client_for(alice)
    before = ratings(factory_assessment)
    filled = samples.fill_checksheet(export_checksheet(assessment_data(factory_assessment)), {"6": ("○", "", "")})
    response = post_file(client, factory_assessment, filled)
    client.post(response["Location"], {"action": "discard"})
    pending = ChecksheetImport.objects.get()
    assert pending.status == PendingStatus.DISCARDED
    assert ratings(factory_assessment) == before
    event = AuditEvent.objects.get(event="interchange.checksheet_discarded")
    assert (event.actor, event.organisation_id, event.target_id) == (alice, factory_assessment.organisation_id, str(factory_assessment.pk))
    assert event.before == {"file": "filled.xlsx", "sha256": pending.file_sha256, "status": "pending"}
    client.post(response["Location"], {"action": "discard"})  # already discarded: nothing more to record
    assert AuditEvent.objects.filter(event="interchange.checksheet_discarded").count() == 1


def test_problems_are_listed_by_sheet_row_and_column(factory_assessment, alice):
    filled = samples.fill_checksheet(export_checksheet(assessment_data(factory_assessment)), {"6": ("◎", "", ""), "7": ("長", "", "")})
    response = post_file(client_for(alice), factory_assessment, filled)
    assert response.status_code == 400
    text = response.content.decode()
    assert "ファイルは取り込まれませんでした。次の問題を直して、もう一度アップロードしてください。" in text
    assert "2 件の問題があります。何も変更していません。" in text
    assert "<td>チェックシート</td><td class=\"num\">7</td><td>H</td><td>「◎」はこの版の評価記号ではありません。" in text
    assert "<td>チェックシート</td><td class=\"num\">8</td><td>H</td><td>「長」はこの版の評価記号ではありません。" in text
    assert not ChecksheetImport.objects.exists()


@pytest.mark.parametrize("name,data,message", [
    ("answers.csv", "No.,評価\n1,○\n".encode(), "Excel ブック (.xlsx) ではありません"),
    ("macro.xlsm", b"PK\x03\x04", "マクロ有効ブック"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "パスワードが設定されています"),
])
def test_hostile_uploads_get_a_clear_message(factory_assessment, alice, name, data, message):
    before = ratings(factory_assessment)
    response = post_file(client_for(alice), factory_assessment, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ratings(factory_assessment) == before and not ChecksheetImport.objects.exists()


def test_an_upload_over_the_limit_is_cut_off_while_it_arrives(factory_assessment, alice, settings):
    settings.INTERCHANGE_MAX_UPLOAD_BYTES = 1024 * 1024
    response = post_file(client_for(alice), factory_assessment, b"PK\x03\x04" + b"\x00" * (3 * 1024 * 1024))
    assert response.status_code == 400
    assert "ファイルが大きすぎます（3.0 MB）。1 MB までです。" in response.content.decode()
    assert not ChecksheetImport.objects.exists()


def test_a_submitted_assessment_offers_no_upload(factory_assessment, alice, owner):
    from keiretsu.assessments import services as assessment_services

    from .conftest import answer

    for item in factory_assessment.edition.items.all():
        answer(owner, factory_assessment, item.number, "○")
    assessment_services.assessment_submit(membership=owner, actor=alice, assessment=factory_assessment)
    page = client_for(alice).get(f"{base(factory_assessment)}checksheet/import/").content.decode()
    assert "この自己評価は提出済みのため変更できません。" in page and 'type="file"' not in page


def test_viewers_may_download_but_not_import(factory_assessment, vera):
    before = ratings(factory_assessment)
    client = client_for(vera)
    assert client.get(f"{base(factory_assessment)}checksheet.xlsx").status_code == 200
    assert client.get(f"{base(factory_assessment)}answers.csv").status_code == 200
    assert client.get(f"{base(factory_assessment)}checksheet/import/").status_code == 403
    data = samples.fill_checksheet(export_checksheet(assessment_data(factory_assessment)), {"6": ("○", "", "")})
    assert post_file(client, factory_assessment, data).status_code == 403
    assert ratings(factory_assessment) == before and not ChecksheetImport.objects.exists()


def urls_of(assessment, import_id):
    return [
        f"{base(assessment)}checksheet.xlsx",
        f"{base(assessment)}answers.csv",
        f"{base(assessment)}scores.csv",
        f"{base(assessment)}checksheet/import/",
        f"{base(assessment)}checksheet/import/{import_id}/",
        f"{base(assessment)}report.pdf",
        f"/o/{assessment.organisation_id}/scores.csv",
    ]


def test_another_organisation_gets_404_everywhere(factory_assessment, alice, mallory, beta):
    response = post_file(client_for(alice), factory_assessment, export_checksheet(assessment_data(factory_assessment)))
    pending = ChecksheetImport.objects.get()
    intruder = client_for(mallory)
    for url in urls_of(factory_assessment, pending.pk):
        assert intruder.get(url).status_code == 404, url
        if "/assessments/" in url:  # through her own organisation's URLs, with Alpha's ids
            assert intruder.get(url.replace(f"/o/{factory_assessment.organisation_id}/", f"/o/{beta.pk}/")).status_code == 404, url
    assert intruder.post(response["Location"], {"action": "apply"}).status_code == 404
    own = response["Location"].replace(f"/o/{factory_assessment.organisation_id}/", f"/o/{beta.pk}/")
    assert intruder.post(own, {"action": "apply"}).status_code == 404
    assert ChecksheetImport.objects.get().status == PendingStatus.PENDING


def test_an_import_of_another_assessment_is_not_found(factory_assessment, enterprise_assessment, alice):
    client = client_for(alice)
    post_file(client, factory_assessment, export_checksheet(assessment_data(factory_assessment)))
    pending = ChecksheetImport.objects.get()
    assert client.get(f"{base(enterprise_assessment)}checksheet/import/{pending.pk}/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(factory_assessment, alice):
    post_file(client_for(alice), factory_assessment, export_checksheet(assessment_data(factory_assessment)))
    pending = ChecksheetImport.objects.get()
    anonymous = Client()
    for url in urls_of(factory_assessment, pending.pk):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url


def test_the_preview_lists_changes_of_the_reason_or_comment_only(factory_assessment, alice):
    membership = membership_of(alice, factory_assessment.organisation)
    item = factory_assessment.edition.items.get(number="6")
    assessment_services.answer_save(membership=membership, actor=alice, assessment=factory_assessment, item=item,
                                    rating="○", comment="規程あり")
    filled = samples.fill_checksheet(export_checksheet(assessment_data(factory_assessment)), {"6": ("○", "", "規程第3条、記録あり")})
    response = post_file(client_for(alice), factory_assessment, filled)
    page = client_for(alice).get(response["Location"]).content.decode()
    assert "理由・コメントだけが変わる項目" in page
    assert "規程あり" in page and "規程第3条、記録あり" in page
