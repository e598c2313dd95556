"""Speed of the improvement plan page with 2,000 actions and of a member's to-do page (issue 11,
items 2 and 6), on the server.

    uv run python bench/todo.py            # SQLite (a temporary file), DEBUG off
    DATABASE_URL=postgres://... uv run python bench/todo.py

Targets: each page's median server time <= 100 ms with a constant number of queries. The
organisation has a METI assessment in progress (half answered, its six labels shared out
between two members), a factory assessment carried over from last year (□ △ × awaiting review),
2,000 improvement actions in every status over both editions, requests from customers and the
approval step. Prints medians, p90, query counts and the machine's load (the figures are this
machine's, under whatever else it runs); measured in-process through Django's test client (the
full middleware stack and template rendering, no network), as bench/assessment.py does.
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
tmp = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
os.environ.update(DEBUG="false", SECRET_KEY="bench-only", ALLOWED_HOSTS="testserver", HTTPS="false", LOG_LEVEL="WARNING")
os.environ["DJANGO_SETTINGS_MODULE"] = "keiretsu.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

RUNS = 40
TARGET_MS = 100
ACTIONS = 2000
FY = 2026


def prepare():
    override_settings(STORAGES={**settings.STORAGES,
                                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    setup_test_environment()
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
    else:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    from keiretsu.accounts import services as account_services
    from keiretsu.accounts.models import Membership, Organisation, Role, Scope, User
    from keiretsu.assessments import services
    from keiretsu.catalogue.models import Edition, Section
    from keiretsu.catalogue.services import catalogue_load_files
    from keiretsu.improvement import services as improvement_services
    from keiretsu.improvement.models import Action
    from keiretsu.lib.corporate_number import with_check_digit
    from keiretsu.supplychain import services as supply_services
    from keiretsu.supplychain.models import Supplier

    catalogue_load_files()
    meti = Edition.objects.get(guideline__slug="meti-scs")
    factory_edition = Edition.objects.get(guideline__slug="jama-factory")
    priority = Edition.objects.get(guideline__slug="jama-priority-items")

    def person(email):
        return account_services.user_create(email=email, password="x", verified=True)

    admin = User.objects.create_superuser("admin@bench.example", "x")

    def company(name, number, owner):
        """A company verified for its corporate number (only those send and receive requests)."""
        organisation = account_services.organisation_create(
            actor=owner, name=name, corporate_number=with_check_digit(number), size_band="medium",
            business_type="parts", tier=1)
        supply_services.organisation_verify(actor=admin, organisation=organisation,
                                            via=Organisation.Verification.ADMINISTRATOR, note="bench")
        organisation.refresh_from_db()
        return organisation

    owner_user, assessor_user = person("owner@bench.example"), person("assessor@bench.example")
    organisation = company("Bench Parts", "900000000009", owner_user)
    Membership.objects.create(user=assessor_user, organisation=organisation, role=Role.ASSESSOR)
    owner = Membership.objects.get(user=owner_user, organisation=organisation)
    assessor = Membership.objects.get(user=assessor_user, organisation=organisation)
    factory = Scope.objects.create(organisation=organisation, kind=Scope.Kind.FACTORY, name="Bench factory")

    # METI, in progress: half answered; labels shared out between the owner and the assessor.
    company_meti = services.assessment_create(
        membership=owner, actor=owner_user, scope=organisation.company_scope, edition=meti, fiscal_year=FY)
    for i, item in enumerate(meti.items.order_by("position")):
        if i % 2 == 0:
            services.answer_save(membership=owner, actor=owner_user, assessment=company_meti, item=item,
                                 rating=("○", "×")[i % 4 == 0])
    for n, section in enumerate(Section.objects.filter(edition=meti, parent=None)):
        improvement_services.section_assign(membership=owner, actor=owner_user, assessment=company_meti,
                                            section=section, assignee=(owner_user, assessor_user)[n % 2])
    # The factory edition, carried over from last year: □ △ × awaiting their yearly review.
    last_year = services.assessment_create(
        membership=owner, actor=owner_user, scope=factory, edition=factory_edition, fiscal_year=FY - 1)
    for i, item in enumerate(factory_edition.items.order_by("position")):
        rating = ("○", "□", "△", "×")[i % 4]
        services.answer_save(membership=owner, actor=owner_user, assessment=last_year, item=item, rating=rating,
                             reason="予算待ち" if rating == "□" else "")
    services.assessment_submit(membership=owner, actor=owner_user, assessment=last_year)
    services.assessment_create(membership=owner, actor=owner_user, scope=factory, edition=factory_edition,
                               fiscal_year=FY, carry_forward=True)
    # 2,000 actions in every status over both editions, owned by both members, due around today.
    today = datetime.date.today()
    statuses = [Action.Status.PLANNED, Action.Status.IN_PROGRESS, Action.Status.DONE, Action.Status.CANCELLED]
    meti_items = list(meti.items.order_by("position").values_list("pk", flat=True))
    factory_items = list(factory_edition.items.order_by("position").values_list("pk", flat=True))
    actions = []
    for n in range(ACTIONS):
        on_meti = n % 3 != 0
        actions.append(Action(
            organisation=organisation, scope=organisation.company_scope if on_meti else factory,
            edition=meti if on_meti else factory_edition, title=f"対策 {n + 1}", owner=(owner_user, assessor_user)[n % 2],
            start_date=today - datetime.timedelta(days=90), due_date=today + datetime.timedelta(days=(n % 120) - 30),
            status=statuses[n % 7 % 4], created_by=owner_user))
    Action.objects.bulk_create(actions)
    links = []
    for n, action in enumerate(Action.objects.filter(organisation=organisation).order_by("pk")):
        pool = meti_items if action.edition_id == meti.pk else factory_items
        links += [Action.items.through(action_id=action.pk, item_id=pool[(n + k) % len(pool)]) for k in range(1 + n % 3)]
    Action.items.through.objects.bulk_create(links)
    # Two customers ask for the priority items; the approval step is on, the METI assessment is ready.
    for k in range(2):
        customer_owner = person(f"customer{k}@bench.example")
        customer = company(f"Customer {k}", f"90000000001{k}", customer_owner)
        customer_membership = Membership.objects.get(user=customer_owner, organisation=customer)
        supply_services.supplier_add(membership=customer_membership, actor=customer_owner, name=organisation.name,
                                     corporate_number=organisation.corporate_number,
                                     contact_email="contact@bench.example", criticality=2)
        supply_services.requests_send(membership=customer_membership, actor=customer_owner,
                                      suppliers=list(Supplier.objects.filter(customer=customer)), editions=[priority],
                                      fiscal_year=FY, due_date=today + datetime.timedelta(days=60), today=today)
    services.approval_policy_set(membership=owner, actor=owner_user, required=True)
    services.assessment_mark_ready(membership=assessor, actor=assessor_user, assessment=company_meti)
    return organisation, owner_user, assessor_user


def destroy():
    if connection.vendor != "sqlite":
        connection.creation.destroy_test_db(settings.DATABASES["default"]["NAME"], verbosity=0)


def count_queries(request) -> int:
    """Queries one request makes (CaptureQueriesContext would see none: each request starts by
    clearing the connection's query log)."""
    executed = []

    def counter(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executed.append(((time.perf_counter() - start) * 1000, sql))

    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        request()
    if os.environ.get("BENCH_PROFILE"):  # the slowest queries of the request, and the rest (Python, templates)
        total = (time.perf_counter() - start) * 1000
        print(f"  {total:.1f} ms in all, {sum(ms for ms, _ in executed):.1f} ms in {len(executed)} queries; slowest:")
        for ms, sql in sorted(executed, reverse=True)[:4]:
            print(f"    {ms:7.1f} ms  {sql[:160]}")
    return len(executed)


def timed(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    queries = count_queries(lambda: client.get(url))
    if os.environ.get("BENCH_PROFILE") == "cprofile":
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(client.get, url)
        pstats.Stats(profile).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(25)
    times = []
    for _ in range(RUNS):
        reset_queries()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times, queries, response


def report(label, times, queries):
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    verdict = "OK" if median <= TARGET_MS else "OVER TARGET"
    print(f"{label}: median {median:.1f} ms, p90 {p90:.1f} ms, {queries} queries (target median <= {TARGET_MS} ms: {verdict})")


def main():
    from keiretsu.accounts.models import Membership
    from keiretsu.improvement import todo

    organisation, owner_user, assessor_user = prepare()
    print(f"database: {connection.vendor}; {ACTIONS} actions, METI (153 items) and factory (63 items) assessments in progress")
    for label, user, url in (
        ("baseline: a page with almost nothing on it (GET /assessments/approval/)", owner_user,
         f"/o/{organisation.pk}/assessments/approval/"),
        ("plan page, owner (GET /plan/)", owner_user, f"/o/{organisation.pk}/plan/"),
        ("plan page, every status (GET /plan/?status=all)", owner_user, f"/o/{organisation.pk}/plan/?status=all"),
        ("to-do page, owner (GET /todo/)", owner_user, f"/o/{organisation.pk}/todo/"),
        ("to-do page, assessor (GET /todo/)", assessor_user, f"/o/{organisation.pk}/todo/"),
    ):
        client = Client()
        client.force_login(user)
        times, queries, _ = timed(client, url)
        report(label, times, queries)
    assessor = Membership.objects.get(user=assessor_user, organisation=organisation)
    mine = todo.todo(assessor)
    print(f"the assessor's to-dos: {mine.unanswered} unanswered, {mine.awaiting_review} to review, "
          f"{len(mine.actions)} actions due, {len(mine.requests)} requests, {len(mine.approvals)} approvals; "
          f"menu count {todo.todo_count(assessor)}")
    if os.environ.get("BENCH_PROFILE"):
        for label, call in (("todo()", lambda: todo.todo(assessor)), ("todo_count()", lambda: todo.todo_count(assessor))):
            runs = []
            for _ in range(20):
                start = time.perf_counter()
                call()
                runs.append((time.perf_counter() - start) * 1000)
            print(f"  {label}: median {statistics.median(runs):.1f} ms")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    try:
        main()
    finally:
        destroy()
