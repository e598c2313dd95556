"""Evidence files: kinds from the content, limits, frozen with a submission, deletion keeps the
record, and who may download (members; customers with full sharing; nobody else)."""

import io
import re
import zipfile
from urllib.parse import urljoin

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse
from openpyxl import Workbook

from keiretsu.accounts.models import AuditEvent
from keiretsu.assessments import services as assessment_services
from keiretsu.catalogue.models import Item
from keiretsu.conftest import client_for, make_user
from keiretsu.improvement import services
from keiretsu.improvement.models import Evidence, ImprovementEvent
from keiretsu.lib import filetypes
from keiretsu.lib.refusals import NotAllowed, NotFound
from keiretsu.supplychain.models import Share

from .conftest import answer

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


def xlsx_bytes():
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def office_zip(part):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return out.getvalue()


def upload(content, name):
    return ContentFile(content, name=name)


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (PDF, "policy.pdf", "pdf"),
        (PNG, "screen.png", "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "photo.jpeg", "jpeg"),
        (xlsx_bytes(), "assets.xlsx", "xlsx"),
        (office_zip("word/document.xml"), "rules.docx", "docx"),
        (office_zip("ppt/presentation.xml"), "training.pptx", "pptx"),
        ("教育記録\n2025-04-01 全員受講\n".encode(), "record.txt", "txt"),
        ("機器,台数\nPC,12\n".encode("cp932"), "devices.csv", "csv"),
        (PDF, "no-extension", "pdf"),
    ],
)
def test_the_kind_is_decided_from_the_content(content, name, kind):
    assert filetypes.detect(io.BytesIO(content), name).code == kind


@pytest.mark.parametrize(
    ("content", "name"),
    [(EXE, "report.pdf"), (EXE, "tool.exe"), (office_zip("other.xml"), "archive.xlsx"), (b"PK\x03\x04broken", "a.docx"),
     (b"<html>\x00</html>", "page.txt")],
)
def test_other_kinds_are_not_recognised(content, name):
    assert filetypes.detect(io.BytesIO(content), name) is None


def test_text_named_as_a_pdf_is_disguised():
    assert filetypes.disguised(filetypes.TEXT, "report.pdf")
    assert not filetypes.disguised(filetypes.PDF, "report.PDF")
    assert not filetypes.disguised(filetypes.CSV, "list.txt")
    assert not filetypes.disguised(filetypes.PNG, "screenshot")


def add_to_answer(membership, assessment, number, content=PDF, name="policy.pdf"):
    item = assessment.edition.items.get(number=number)
    return services.evidence_add(membership=membership, actor=membership.user, upload=upload(content, name),
                                 assessment=assessment, item=item)


def stored_files():
    storage = storages["evidence"]
    found = []

    def walk(folder):
        folders, files = storage.listdir(folder)
        found.extend(f"{folder}/{f}" if folder else f for f in files)
        for sub in folders:
            walk(f"{folder}/{sub}" if folder else sub)

    walk("")
    return found


def test_evidence_on_an_answer_is_kept_privately_and_audited(owner, factory_assessment):
    evidence = add_to_answer(owner, factory_assessment, "1")
    assert (evidence.name, evidence.kind, evidence.content_type, evidence.size) == (
        "policy.pdf", "pdf", "application/pdf", len(PDF))
    assert "policy" not in evidence.file.name and len(stored_files()) == 1
    event = AuditEvent.objects.get(event=ImprovementEvent.EVIDENCE_ADDED)
    assert event.after["file"] == "policy.pdf" and event.after["sha256"] == evidence.sha256


def nothing_kept(call, exc, match=None):
    before = (Evidence.objects.count(), AuditEvent.objects.count(), len(stored_files()))
    with pytest.raises(exc, match=match):
        call()
    assert (Evidence.objects.count(), AuditEvent.objects.count(), len(stored_files())) == before


def test_a_disallowed_or_disguised_file_is_refused_and_nothing_kept(owner, factory_assessment):
    nothing_kept(lambda: add_to_answer(owner, factory_assessment, "1", EXE, "report.pdf"),
                 services.EvidenceRefused, "PDF、PNG")
    nothing_kept(lambda: add_to_answer(owner, factory_assessment, "1", b"just text", "report.pdf"),
                 services.EvidenceRefused, "TXT")


def test_files_over_the_limits_are_refused(owner, factory_assessment, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 20
    nothing_kept(lambda: add_to_answer(owner, factory_assessment, "1"), services.EvidenceRefused, "大きすぎます")
    settings.EVIDENCE_MAX_FILE_BYTES = 10_000
    settings.EVIDENCE_MAX_ORGANISATION_BYTES = len(PDF) * 2
    add_to_answer(owner, factory_assessment, "1")
    add_to_answer(owner, factory_assessment, "2")
    nothing_kept(lambda: add_to_answer(owner, factory_assessment, "3"), services.EvidenceRefused)


def test_evidence_is_frozen_with_a_submitted_assessment(owner, factory_assessment, alice):
    kept = add_to_answer(owner, factory_assessment, "1")
    for item in factory_assessment.edition.items.all():
        answer(owner, factory_assessment, item.number, "－")
    assessment_services.assessment_submit(membership=owner, actor=alice, assessment=factory_assessment)
    nothing_kept(lambda: add_to_answer(owner, factory_assessment, "2"), services.EvidenceFrozen, "提出")
    with pytest.raises(services.EvidenceFrozen):
        services.evidence_delete(membership=owner, actor=alice, evidence=kept)
    assert Evidence.objects.get(pk=kept.pk).deleted_at is None and len(stored_files()) == 1


def test_an_item_of_another_edition_or_organisation_and_a_viewer_are_refused(owner, viewer, factory_assessment,
                                                                             catalogue, mallory, beta):
    meti_item = catalogue["meti-scs"].items.first()
    nothing_kept(lambda: services.evidence_add(membership=owner, actor=owner.user, upload=upload(PDF, "a.pdf"),
                                               assessment=factory_assessment, item=meti_item), NotFound)
    from keiretsu.conftest import membership_of

    nothing_kept(lambda: add_to_answer(membership_of(mallory, beta), factory_assessment, "1"), NotFound)
    nothing_kept(lambda: add_to_answer(viewer, factory_assessment, "1"), NotAllowed)


def test_deleting_removes_the_content_keeps_the_record_and_is_audited(owner, factory_assessment, alice,
                                                                     django_capture_on_commit_callbacks):
    evidence = add_to_answer(owner, factory_assessment, "1")
    with django_capture_on_commit_callbacks(execute=True):  # the content goes once the deletion is committed
        services.evidence_delete(membership=owner, actor=alice, evidence=evidence)
    evidence.refresh_from_db()
    assert evidence.deleted_at and evidence.deleted_by == alice and evidence.file.name == ""
    assert (evidence.name, evidence.size) == ("policy.pdf", len(PDF)) and stored_files() == []
    event = AuditEvent.objects.get(event=ImprovementEvent.EVIDENCE_DELETED)
    assert event.before["file"] == "policy.pdf" and event.before["sha256"] == evidence.sha256
    url = reverse("improvement:evidence", args=[owner.organisation_id, evidence.pk])
    assert client_for(alice).get(url).status_code == 404
    page = client_for(alice).get(reverse("assessments:detail", args=[owner.organisation_id, factory_assessment.pk]))
    assert "<s>policy.pdf</s>" in page.content.decode()


@pytest.fixture
def customer(db):
    from keiretsu.conftest import make_organisation

    carol = make_user("carol@customer.example", "Carol")
    return carol, make_organisation(carol, "Customer Motors", "400000000004")


def share(assessment, recipient, detail):
    return Share.objects.create(organisation=assessment.organisation, recipient=recipient, assessment=assessment,
                                scope=assessment.scope, edition=assessment.edition,
                                fiscal_year=assessment.fiscal_year, detail=detail)


def test_who_may_download_evidence(owner, factory_assessment, alice, vera, mallory, beta, customer, client):
    carol, customer_org = customer
    evidence = add_to_answer(owner, factory_assessment, "1")
    own_url = reverse("improvement:evidence", args=[owner.organisation_id, evidence.pk])
    response = client_for(vera).get(own_url)  # a member, any role
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment") and "policy.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] and response["Content-Type"] == "application/pdf"
    customer_url = reverse("improvement:evidence", args=[customer_org.pk, evidence.pk])
    assert client_for(carol).get(customer_url).status_code == 404  # nothing shared
    summary = share(factory_assessment, customer_org, Share.Detail.SUMMARY)
    assert client_for(carol).get(customer_url).status_code == 404  # the summary only
    Share.objects.filter(pk=summary.pk).delete()
    full = share(factory_assessment, customer_org, Share.Detail.FULL)
    assert client_for(carol).get(customer_url).status_code == 200  # every answer, its evidence too
    Share.objects.filter(pk=full.pk).update(ended_at="2025-12-01T00:00:00Z")
    assert client_for(carol).get(customer_url).status_code == 404  # withdrawn
    for url in (own_url, reverse("improvement:evidence", args=[beta.pk, evidence.pk])):
        assert client_for(mallory).get(url).status_code == 404
    response = client.get(own_url)
    assert response.status_code == 302 and "/login" in response["Location"] or "sign" in response["Location"]


def test_upload_through_the_checklist_and_the_action_page(owner, factory_assessment, alice, settings):
    client = client_for(alice)
    org = owner.organisation_id
    item = factory_assessment.edition.items.get(number="1")
    url = reverse("improvement:evidence_answer_add", args=[org, factory_assessment.pk, item.pk])
    response = client.post(url, {"file": io.BytesIO(PDF)}, format="multipart")
    assert response.status_code == 302
    # A file with a name: the test client sends the BytesIO's name.
    pdf = io.BytesIO(PDF)
    pdf.name = "方針.pdf"
    client.post(url, {"file": pdf})
    assert Evidence.objects.filter(name="方針.pdf").exists()
    page = client.get(reverse("assessments:detail", args=[org, factory_assessment.pk])).content.decode()
    assert "方針.pdf" in page
    settings.EVIDENCE_MAX_FILE_BYTES = 1000
    big = io.BytesIO(PDF + b"0" * 5000)
    big.name = "big.pdf"
    count = Evidence.objects.count()
    response = client.post(url, {"file": big}, follow=True)
    assert "大きすぎます" in response.content.decode() and Evidence.objects.count() == count


def test_an_items_page_lists_its_evidence_and_offers_the_upload_only_to_those_who_answer(
    owner, viewer, factory_assessment, alice, vera, beta, mallory
):
    org = owner.organisation_id
    item = factory_assessment.edition.items.get(number="1")
    url = reverse("improvement:evidence_answer_add", args=[org, factory_assessment.pk, item.pk])
    pdf = io.BytesIO(PDF)
    pdf.name = "手順書.pdf"
    client_for(alice).post(url, {"file": pdf})
    # The checklist links each item to its page (an upload form cannot sit inside its one form).
    checklist_url = reverse("assessments:detail", args=[org, factory_assessment.pk])
    checklist = client_for(alice).get(checklist_url).content.decode()
    links = {urljoin(checklist_url, href) for href in re.findall(r'class="item-link" href="([^"]+)"', checklist)}
    assert url in links
    page = client_for(alice).get(url).content.decode()
    assert "手順書.pdf" in page and 'enctype="multipart/form-data"' in page
    seen = client_for(vera).get(url).content.decode()  # a viewer reads, and uploads nothing
    assert "手順書.pdf" in seen and 'enctype="multipart/form-data"' not in seen
    assert client_for(mallory).get(url).status_code == 404
    other_edition = Item.objects.exclude(edition=factory_assessment.edition_id).first()
    wrong = reverse("improvement:evidence_answer_add", args=[org, factory_assessment.pk, other_edition.pk])
    assert client_for(alice).get(wrong).status_code == 404
