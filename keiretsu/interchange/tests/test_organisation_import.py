"""An organisation's owner imports the official enterprise checksheet it received, for itself:
the edition is seen by that organisation, by the suppliers it asks to answer it and by the
customers it shares results with; the administrator can make it instance-wide. Audited."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments import services as assessment_services
from keiretsu.catalogue import services as catalogue_services
from keiretsu.catalogue.models import CatalogueEvent, Edition, EditionAccess
from keiretsu.catalogue.selectors import related_items
from keiretsu.conftest import client_for, give_totp, make_user, membership_of
from keiretsu.interchange.models import EditionImport
from keiretsu.lib.refusals import NotFound
from keiretsu.supplychain.tests.scenario import accept, add_supplier, send_requests

from . import samples

pytestmark = pytest.mark.django_db


def import_url(org):
    return f"/o/{org.pk}/catalogue/import/"


def upload(client, org, data=None):
    form = {"guideline": "jama-enterprise", "edition": "2.3", "title": "", "published": "",
            "file": SimpleUploadedFile("JAMA_checksheet_V2.3.xlsx", data or samples.official_checksheet("plain"))}
    return client.post(import_url(org), form)


def import_for(client, org):
    response = upload(client, org)
    assert response.status_code == 302, response.content.decode()[:2000]
    pending = EditionImport.objects.filter(organisation=org).latest("pk")
    assert response["Location"] == f"{import_url(org)}{pending.pk}/"
    response = client.post(response["Location"], {"action": "apply"})
    return Edition.objects.get(guideline__slug="jama-enterprise", code="2.3"), response


@pytest.fixture
def admin(db):
    user = make_user("staff@keiretsu.example", "Admin")
    user.is_staff = True
    user.save()
    give_totp(user)  # staff must have a second factor
    return user


@pytest.fixture
def imported(catalogue, alpha, alice):
    edition, _response = import_for(client_for(alice), alpha)
    return edition


def test_an_owner_imports_the_checksheet_for_its_organisation(catalogue, alpha, alice):
    client = client_for(alice)
    page = client.get(import_url(alpha)).content.decode()
    assert "Alpha Parts だけが使います" in page
    edition, response = import_for(client, alpha)
    assert response["Location"] == f"/catalogue/{edition.pk}/"
    assert edition.items.count() == 153 and not edition.is_instance_wide
    assert list(EditionAccess.objects.values_list("organisation", "via")) == [(alpha.pk, "imported")]
    event = AuditEvent.objects.get(event=CatalogueEvent.EDITION_IMPORTED)
    assert (event.organisation_id, event.actor_id, event.after["items"]) == (alpha.pk, alice.pk, 153)
    # Alpha sees it, uses it, and its checklist's cross-references lead to it.
    assert "エンタープライズ版" in client.get("/catalogue/").content.decode()
    assert client.get(f"/catalogue/{edition.pk}/").status_code == 200
    assessment_services.assessment_create(
        membership=membership_of(alice, alpha), actor=alice, scope=alpha.company_scope, edition=edition, fiscal_year=2026
    )
    meti = catalogue["meti-scs"]
    criterion = meti.items.get(number="1-1-1-1")
    assert {(r.edition, r.number) for r in related_items(meti, [criterion], [alpha.pk])[criterion.pk]} >= {(edition, "9")}


def test_another_organisation_does_not_see_it(imported, beta, mallory, catalogue):
    client = client_for(mallory)
    assert client.get(f"/catalogue/{imported.pk}/").status_code == 404
    assert "エンタープライズ版 2.3" not in client.get("/catalogue/").content.decode()
    assert "jama-enterprise" not in client.get("/api/v1/catalogue/editions/").content.decode()
    with pytest.raises(NotFound):
        assessment_services.assessment_create(
            membership=membership_of(mallory, beta), actor=mallory, scope=beta.company_scope, edition=imported, fiscal_year=2026
        )
    # Its cross-references read as an edition that is not loaded here, by name.
    meti = catalogue["meti-scs"]
    criterion = meti.items.get(number="1-1-1-1")
    [first, *_] = [r for r in related_items(meti, [criterion], [beta.pk])[criterion.pk] if r.number == "9"]
    assert first.edition is None and first.url == ""
    assert str(first.label) == "自工会/部工会・サイバーセキュリティガイドライン エンタープライズ版 No.9"
    page = client.get(f"/catalogue/{meti.pk}/").content.decode()
    assert "エンタープライズ版 No.9" in page and "ここには読み込まれていません" in page


def test_refusals(imported, alpha, bob, beta, mallory):
    pending = EditionImport.objects.get(organisation=alpha)
    # An assessor of Alpha may not import; another company neither, nor see Alpha's import.
    assert client_for(bob).get(import_url(alpha)).status_code == 403
    assert upload(client_for(bob), alpha).status_code == 403
    other = client_for(mallory)
    assert other.get(import_url(alpha)).status_code == 404
    assert other.get(f"{import_url(alpha)}{pending.pk}/").status_code == 404
    assert other.get(f"{import_url(beta)}{pending.pk}/").status_code == 404
    assert other.post(f"{import_url(beta)}{pending.pk}/", {"action": "apply"}).status_code == 404
    # The administrator's pages stay the administrator's.
    assert other.get("/catalogue/import/").status_code == 404
    assert other.post(f"/catalogue/{imported.pk}/instance-wide/").status_code == 404
    imported.refresh_from_db()
    assert not imported.is_instance_wide


def test_the_same_checksheet_imported_by_another_company_is_one_edition(imported, beta, mallory):
    edition, _response = import_for(client_for(mallory), beta)
    assert edition == imported and Edition.objects.filter(guideline__slug="jama-enterprise").count() == 1
    assert client_for(mallory).get(f"/catalogue/{imported.pk}/").status_code == 200
    assert AuditEvent.objects.filter(event=CatalogueEvent.EDITION_IMPORTED, organisation=beta).count() == 1


def test_a_supplier_asked_to_answer_it_may_use_it(imported, alpha, alice, beta, mallory):
    # Alpha asks Beta (its supplier) for the enterprise self-assessment.
    supplier = add_supplier(alpha, alice, beta)
    send_requests(alpha, alice, [supplier], [imported])
    assert client_for(mallory).get(f"/catalogue/{imported.pk}/").status_code == 404  # not before accepting
    accept(beta, mallory, alpha, imported)
    assert client_for(mallory).get(f"/catalogue/{imported.pk}/").status_code == 200
    assert EditionAccess.objects.get(organisation=beta).via == "requested"


def test_a_company_cannot_ask_for_an_edition_it_does_not_have(imported, beta, mallory, alpha):
    supplier = add_supplier(beta, mallory, alpha)
    with pytest.raises(NotFound):
        send_requests(beta, mallory, [supplier], [imported])


def test_the_administrator_makes_it_instance_wide(imported, admin, mallory):
    client = client_for(admin)
    assert "すべての組織で使えるようにする" in client.get(f"/catalogue/{imported.pk}/").content.decode()
    response = client.post(f"/catalogue/{imported.pk}/instance-wide/")
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.is_instance_wide
    event = AuditEvent.objects.get(event=CatalogueEvent.EDITION_INSTANCE_WIDE)
    assert (event.actor_id, event.before, event.after) == (admin.pk, {"is_instance_wide": False}, {"is_instance_wide": True})
    assert client_for(mallory).get(f"/catalogue/{imported.pk}/").status_code == 200


def test_only_the_administrator_makes_an_edition_instance_wide(imported, alice):
    with pytest.raises(Exception) as refused:
        catalogue_services.edition_make_instance_wide(actor=alice, edition=imported)
    assert refused.value.status == 403


def test_an_industry_body_cannot_collect_an_organisations_own_import(imported, beta, mallory):
    from keiretsu.benchmark import services as benchmark_services
    from keiretsu.benchmark.forms import RoundForm

    benchmark_services.industry_body_set(actor=None, organisation=beta, is_body=True)
    assert imported not in RoundForm().fields["editions"].queryset
    with pytest.raises(NotFound):
        benchmark_services.round_open(
            membership=membership_of(mallory, beta), actor=mallory, fiscal_year=2026, editions=[imported],
            deadline=datetime.date(2099, 12, 31),
        )
