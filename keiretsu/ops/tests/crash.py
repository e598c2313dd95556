"""Run by the kill tests in a process of its own, against a scratch database (processes.Site):

    python -m keiretsu.ops.tests.crash prepare STATE.json      the objects each scenario needs
    python -m keiretsu.ops.tests.crash run SCENARIO MOMENT STATE.json
    python -m keiretsu.ops.tests.crash check STATE.json        what is in the database, as JSON
    python -m keiretsu.ops.tests.crash snapshot OUT.json       every API listing of every organisation

`run` does the scenario's real work and, at MOMENT (before_commit or after_commit of the
scenario's transaction), prints PAUSED and waits to be killed with SIGKILL.
"""

import json
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keiretsu.settings")
django.setup()

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

SCENARIOS = ("import", "submission", "share", "benchmark")
_armed = {"on": False, "moment": ""}


def _pause():
    print("PAUSED", flush=True)
    time.sleep(600)


def _install_pause(moment):
    original = BaseDatabaseWrapper.commit

    def commit(self):
        if _armed["on"] and moment == "before_commit":
            _pause()
        original(self)
        if _armed["on"] and moment == "after_commit":
            _pause()

    BaseDatabaseWrapper.commit = commit


def armed(function):
    """The wrapped function's own transaction is where the process will be killed."""

    def wrapper(*args, **kwargs):
        _armed["on"] = True
        try:
            return function(*args, **kwargs)
        finally:
            _armed["on"] = False

    return wrapper


def prepare(state_file):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from keiretsu.accounts.models import Membership
    from keiretsu.assessments import services as assessment_services
    from keiretsu.benchmark import tasks as benchmark_tasks
    from keiretsu.benchmark.models import Round
    from keiretsu.catalogue.models import Edition
    from keiretsu.conftest import membership_of
    from keiretsu.interchange import services as interchange_services
    from keiretsu.interchange.checksheet_export import export_checksheet
    from keiretsu.interchange.selectors import assessment_data
    from keiretsu.supplychain.tests import scenario

    edition = Edition.objects.get(guideline__slug="meti-scs")
    # Submission: a company's assessment, every item answered, ready to submit.
    org, owner = scenario.company("Crash Submit")
    assessment = assessment_services.assessment_create(
        membership=membership_of(owner, org), actor=owner, scope=org.scopes.get(kind="company"), edition=edition,
        fiscal_year=scenario.FY,
    )  # fmt: skip
    scenario.answer_all(assessment)
    # Share: a supplier that accepted its customer's request and submitted.
    customer, customer_owner = scenario.company("Crash Customer")
    supplier, supplier_owner = scenario.company("Crash Supplier", tier=org.Tier.TIER2)
    scenario.add_supplier(customer, customer_owner, supplier)
    scenario.send_requests(customer, customer_owner, customer.suppliers.all(), [edition])
    scenario.accept(supplier, supplier_owner, customer, edition)
    shared = scenario.submit(supplier, supplier_owner, edition)
    # Checksheet import: an exported checksheet with every answer changed, checked and pending.
    importer, importer_owner = scenario.company("Crash Import")
    imported = assessment_services.assessment_create(
        membership=membership_of(importer_owner, importer), actor=importer_owner,
        scope=importer.scopes.get(kind="company"), edition=edition, fiscal_year=scenario.FY,
    )  # fmt: skip
    scenario.answer_all(imported, not_done=10)
    workbook = export_checksheet(assessment_data(imported))
    scenario.answer_all(imported)  # the file now differs from the database in 10 answers
    pending = interchange_services.checksheet_import_prepare(
        membership=membership_of(importer_owner, importer), actor=importer_owner, assessment=imported,
        data=workbook, file_name="crash.xlsx",
    )  # fmt: skip
    # Benchmark: a recompute of the demo body's round, queued for the worker.
    round = Round.objects.order_by("pk").first()
    body = Membership.objects.filter(organisation=round.body, role="owner").first()
    task = benchmark_tasks.recompute_release.enqueue(
        membership_id=body.pk, actor_id=body.user_id, round_id=round.pk, edition_id=round.editions.first().pk
    )
    # The end-to-end test through the production stack: a company with every item answered.
    e2e, e2e_owner = scenario.company("E2E Company")
    e2e_assessment = assessment_services.assessment_create(
        membership=membership_of(e2e_owner, e2e), actor=e2e_owner, scope=e2e.scopes.get(kind="company"),
        edition=edition, fiscal_year=scenario.FY,
    )  # fmt: skip
    scenario.answer_all(e2e_assessment)
    # An uploaded file, so that backups carry Django's default storage.
    default_storage.save("evidence/crash/proof.txt", ContentFile("証跡 evidence\n".encode()))
    state = {
        "submission": {"assessment": assessment.pk, "membership": membership_of(owner, org).pk},
        "share": {
            "assessment": shared.pk,
            "membership": membership_of(supplier_owner, supplier).pk,
            "customer": customer.pk,
            "request": scenario.inbox_request(supplier, customer, edition).pk,
        },
        "import": {
            "pending": pending.pk,
            "assessment": imported.pk,
            "membership": membership_of(importer_owner, importer).pk,
        },
        "benchmark": {"task": str(task.id), "round": round.pk, "body": round.body_id},
        "e2e": {"email": e2e_owner.email, "organisation": e2e.pk, "assessment": e2e_assessment.pk},
    }
    with open(state_file, "w") as f:
        json.dump(state, f)
    print(json.dumps(state))


def run(scenario, moment, state_file):
    from keiretsu.accounts.models import Membership, Organisation
    from keiretsu.assessments import services as assessment_services
    from keiretsu.assessments.models import Assessment
    from keiretsu.benchmark import services as benchmark_services
    from keiretsu.interchange import services as interchange_services
    from keiretsu.interchange.models import ChecksheetImport
    from keiretsu.supplychain import services as supplychain_services
    from keiretsu.supplychain.models import AssessmentRequest

    if scenario == "backup":  # MOMENT is the archive's path: killed before its manifest is written
        from django.core.management import call_command

        from keiretsu.ops.backup import archive

        finish = archive.Writer.finish
        archive.Writer.finish = lambda self, manifest: (_pause(), finish(self, manifest))
        call_command("backup", "-o", moment)
        return
    state = json.loads(Path(state_file).read_text())[scenario]
    _install_pause(moment)
    if scenario == "benchmark":
        from django.core.management import call_command

        benchmark_services.release_recompute = armed(benchmark_services.release_recompute)
        call_command("worker", "--batch", "--no-startup-delay")
        return
    membership = Membership.objects.select_related("organisation", "user").get(pk=state["membership"])
    if scenario == "submission":
        assessment = Assessment.objects.get(pk=state["assessment"])
        armed(assessment_services.assessment_submit)(
            membership=membership, actor=membership.user, assessment=assessment
        )
    elif scenario == "share":
        armed(supplychain_services.share_create)(
            membership=membership, actor=membership.user, request=AssessmentRequest.objects.get(pk=state["request"]),
            assessment=Assessment.objects.get(pk=state["assessment"]), detail="summary",
            recipients=[Organisation.objects.get(pk=state["customer"])],
        )  # fmt: skip
    elif scenario == "import":
        pending = ChecksheetImport.objects.get(pk=state["pending"])
        armed(interchange_services.checksheet_import_apply)(
            membership=membership, actor=membership.user, pending=pending
        )
    print("DONE", flush=True)


def check(state_file):
    """What each scenario left: the change and its audit rows, counted."""
    from django_tasks_db.models import DBTaskResult

    from keiretsu.accounts.models import AuditEvent
    from keiretsu.assessments.models import Answer, Assessment
    from keiretsu.benchmark.models import Release
    from keiretsu.interchange.models import ChecksheetImport
    from keiretsu.supplychain.models import Share

    state = json.loads(Path(state_file).read_text())
    submitted = Assessment.objects.get(pk=state["submission"]["assessment"])
    pending = ChecksheetImport.objects.get(pk=state["import"]["pending"])
    task = DBTaskResult.objects.get(pk=state["benchmark"]["task"])

    def audits(target_type, target_ids, event=None):
        rows = AuditEvent.objects.filter(target_type=target_type, target_id__in=[str(i) for i in target_ids])
        return rows.filter(event=event).count() if event else rows.count()

    shares = list(Share.objects.filter(assessment=state["share"]["assessment"]).values_list("pk", flat=True))
    releases = list(Release.objects.filter(round=state["benchmark"]["round"]).values_list("pk", flat=True))
    imported = state["import"]["assessment"]
    result = {
        "submission": {
            "status": submitted.status,
            "snapshot": bool(submitted.score_snapshot),
            "audit": audits("assessment", [submitted.pk], "assessment.submitted"),
        },
        "share": {"shares": len(shares), "audit": audits("share", shares)},
        "import": {
            "status": pending.status,
            "not_achieved": Answer.objects.filter(assessment=imported).exclude(rating="○").count(),
            "audit": AuditEvent.objects.filter(
                event__startswith="interchange.", organisation=pending.organisation_id
            ).count(),
        },
        "benchmark": {
            "task": task.status,
            "attempts": len(task.worker_ids),
            "error": task.traceback,
            "releases": len(releases),
            "audit": audits("release", releases),
        },
        "connection": connection.vendor,
    }
    print(json.dumps(result))


def snapshot(out_file):
    """Every API listing of every organisation, as its owner sees it (for the restore test)."""
    from django.test import Client

    from keiretsu.accounts.models import Membership, Organisation

    listings = {"catalogue": None}
    for organisation in Organisation.objects.order_by("pk"):
        member = Membership.objects.filter(organisation=organisation).order_by("role", "pk").first()
        if member is None:
            continue
        client = Client()
        client.force_login(member.user)
        base = f"/api/v1/o/{organisation.pk}"
        urls = [f"{base}/assessments/", f"{base}/suppliers/", f"{base}/supply-tree/", f"{base}/weakest-links/"]
        urls += [f"{base}/inbox/", f"{base}/benchmark/submissions/", "/api/v1/catalogue/editions/"]
        urls += ["/api/v1/benchmark/releases/"]
        for url in urls:
            listings[f"{member.user.email} {url}"] = _get(client, url)
        for assessment in listings[f"{member.user.email} {base}/assessments/"]["body"].get("assessments", []):
            url = f"{base}/assessments/{assessment['id']}/"
            listings[f"{member.user.email} {url}"] = _get(client, url)
    with open(out_file, "w") as f:
        json.dump(listings, f, ensure_ascii=False, sort_keys=True, indent=0)
    print(json.dumps({"listings": len(listings)}))


def _get(client, url):
    response = client.get(url)
    return {"http": response.status_code, "body": response.json()}


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"prepare": prepare, "run": run, "check": check, "snapshot": snapshot}[command](*arguments)
