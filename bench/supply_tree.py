"""Bench: the supply-tree page and the weakest-links page of an OEM with 20,000 suppliers.

    DATABASE_URL=postgres://keiretsu:keiretsu@127.0.0.1:5432/keiretsu_supplychain \\
        .venv/bin/python bench/supply_tree.py [--suppliers 20000] [--runs 9] [--keep]

Builds, in a throw-away test database (DB_TEST_NAME, else test_<name>), a supply chain
generated with a fixed seed: an OEM, its suppliers over 5 tiers, each request passed on
down the tiers (some suppliers reached through two customers), a mix of statuses, submitted
assessments shared with their own customer and a few directly with the OEM. Then requests
both pages as the OEM's owner, through Django's test client (whole page: middleware, views,
queries, templates), and prints the median time and the number of queries. Target: each
<= 1 s median on PostgreSQL, with a query count that does not grow with the tree.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keiretsu.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone

SEED = 20260401
TIER_SHARES = (0.002, 0.02, 0.12, 0.30)  # tiers 1-4; tier 5 takes the rest
SECOND_CUSTOMER = 0.05  # suppliers that also supply a second customer one tier up


def build(n_suppliers: int, rng: random.Random):
    from keiretsu.accounts.models import Membership, Organisation, Role, Scope, User
    from keiretsu.assessments.models import Answer, Assessment
    from keiretsu.catalogue.models import Edition
    from keiretsu.catalogue.selectors import edition_structure
    from keiretsu.catalogue.services import catalogue_load_files
    from keiretsu.lib.corporate_number import with_check_digit
    from keiretsu.programme import scoring
    from keiretsu.supplychain.models import AssessmentRequest, Criticality, RequestPath, Share, Supplier
    from keiretsu.supplychain.services import snapshot_figures

    catalogue_load_files()
    edition = Edition.objects.get(guideline__slug="jama-priority-items")
    structure = edition_structure(edition)
    scored = structure.scored_items()
    first_item = structure.items[0]
    year = 2026
    due = datetime.date(2026, 12, 31)
    today = datetime.date(2026, 11, 1)

    # Organisations: the OEM (index 0) and the suppliers, tier by tier.
    sizes, left = [], n_suppliers
    for share in TIER_SHARES:
        sizes.append(max(1, round(n_suppliers * share)))
        left -= sizes[-1]
    sizes.append(left)
    tiers = [[0]]
    next_index = 1
    for size in sizes:
        tiers.append(list(range(next_index, next_index + size)))
        next_index += size
    tier_of = {i: min(depth, 4) for depth, members in enumerate(tiers) for i in members}
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bench {'OEM' if i == 0 else 'supplier'} {i:05d}",
                corporate_number=with_check_digit(f"9{i:011d}"),
                size_band="medium",
                business_type="parts" if i else "vehicle_maker",
                tier=tier_of[i],
            )
            for i in range(next_index)
        ],
        batch_size=2000,
    )
    index_of = {o.pk: i for i, o in enumerate(organisations)}
    scopes = Scope.objects.bulk_create(
        [Scope(organisation=o, kind="company", name=o.name) for o in organisations], batch_size=2000
    )
    owner = User.objects.create_user("owner@bench-oem.example", "bench-password-123", name="Bench OEM owner")
    Membership.objects.create(user=owner, organisation=organisations[0], role=Role.OWNER)

    # Who supplies whom: each supplier has one customer one tier up, some a second one.
    edges = []  # (customer index, supplier index)
    for depth in range(1, len(tiers)):
        upper = tiers[depth - 1]
        for index in tiers[depth]:
            customers = {rng.choice(upper)}
            if depth > 1 and rng.random() < SECOND_CUSTOMER:
                customers.add(rng.choice(upper))
            edges += [(c, index) for c in sorted(customers)]
    unlinked = {i for i in range(1, next_index) if rng.random() < 0.03}
    suppliers = Supplier.objects.bulk_create(
        [
            Supplier(
                customer=organisations[c],
                organisation=None if s in unlinked else organisations[s],
                name=organisations[s].name,
                corporate_number=organisations[s].corporate_number,
                contact_email=f"contact{s}@bench.example",
                criticality=rng.choice(list(Criticality)),
            )
            for c, s in edges
        ],
        batch_size=2000,
    )

    # Requests down the tiers: a supplier's request to its own supplier points at the request
    # the supplier received (its first one when it has two customers).
    received = {}  # supplier index -> the first request it received
    statuses = ["accepted"] * 7 + ["pending"] * 2 + ["declined"]
    requests = []
    for depth in range(1, len(tiers)):
        members = set(tiers[depth])
        batch = []
        for (c, s), supplier in zip(edges, suppliers):
            if s not in members:
                continue
            status = "pending" if s in unlinked else rng.choice(statuses)
            request = AssessmentRequest(
                requester=organisations[c],
                supplier=supplier,
                edition=edition,
                fiscal_year=year,
                due_date=due,
                parent=received.get(c),
                status=status,
                pass_on=True,
                decline_reason="bench" if status == "declined" else "",
            )
            batch.append((s, request))
        AssessmentRequest.objects.bulk_create([r for _, r in batch], batch_size=2000)
        for s, request in batch:
            received.setdefault(s, request)
        requests += [r for _, r in batch]

    # The closure table, as the services write it.
    ancestors = {}
    paths = []
    for request in requests:  # parents come first (created tier by tier)
        chain = [request.pk] + ancestors.get(request.parent_id, [])
        ancestors[request.pk] = chain
        paths += [RequestPath(ancestor_id=a, descendant_id=request.pk, depth=d) for d, a in enumerate(chain)]
    RequestPath.objects.bulk_create(paths, batch_size=5000)

    # Assessments: about half submitted, some in progress; the submitted ones mostly shared with
    # their own customer, a few also directly with the OEM.
    assessments, drafts = [], []
    for index in range(1, next_index):
        if index in unlinked:
            continue
        roll = rng.random()
        if roll < 0.5:
            ratings = {item.number: ("×" if rng.random() < 0.15 else "○") for item in scored}
            summary = scoring.score(
                scale=edition.rating_scale, levels=edition.level_codes, items=scored, ratings=ratings
            )
            assessments.append(
                Assessment(
                    organisation=organisations[index],
                    scope=scopes[index],
                    edition=edition,
                    fiscal_year=year,
                    status="submitted",
                    submitted_at=timezone.now(),
                    score_snapshot=summary.as_dict(),
                )
            )
        elif roll < 0.7:
            drafts.append(
                Assessment(organisation=organisations[index], scope=scopes[index], edition=edition, fiscal_year=year)
            )
    submitted = Assessment.objects.bulk_create(assessments, batch_size=2000)
    drafts = Assessment.objects.bulk_create(drafts, batch_size=2000)
    Answer.objects.bulk_create([Answer(assessment=a, item=first_item, rating="○") for a in drafts], batch_size=2000)

    first_request = received
    shares = []
    for assessment in submitted:
        index = index_of[assessment.organisation_id]
        request = first_request.get(index)
        if request is None or request.status != "accepted" or rng.random() > 0.8:
            continue
        figures = snapshot_figures(assessment.score_snapshot)
        recipients = [request.requester_id]
        if request.requester_id != organisations[0].pk and rng.random() < 0.05:
            recipients.append(organisations[0].pk)
        shares += [
            Share(
                organisation_id=assessment.organisation_id,
                recipient_id=recipient,
                assessment=assessment,
                scope_id=assessment.scope_id,
                edition=edition,
                fiscal_year=year,
                request=request,
                detail="summary",
                **figures,
            )
            for recipient in recipients
        ]
    Share.objects.bulk_create(shares, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have them
    return {
        "oem": organisations[0],
        "owner": owner,
        "edition": edition,
        "year": year,
        "today": today,
        "counts": {
            "suppliers (organisations)": next_index - 1,
            "supplier-list entries": len(suppliers),
            "requests": len(requests),
            "closure rows": len(paths),
            "submitted assessments": len(submitted),
            "in progress": len(drafts),
            "shares": len(shares),
            "shares with the OEM": sum(1 for s in shares if s.recipient_id == organisations[0].pk),
        },
        "tiers": [len(t) for t in tiers[1:]],
    }


def measure(client, url, runs):
    client.get(url)  # warm up: connection, templates, translations
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), min(times), max(times), len(queries), response


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suppliers", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the test database")
    args = parser.parse_args()

    setup_test_environment()
    settings.DEBUG = False
    # No collectstatic here: plain static URLs (the hashed ones need the manifest).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = connection.settings_dict["NAME"]
    started = time.perf_counter()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rng = random.Random(SEED)
        data = build(args.suppliers, rng)
        built = time.perf_counter() - started
        print(f"Database: {connection.vendor} ({test_name}); generated in {built:.1f} s with seed {SEED}")
        print("Suppliers per tier: " + ", ".join(f"tier {i + 1}: {n}" for i, n in enumerate(data["tiers"])))
        for label, value in data["counts"].items():
            print(f"  {label}: {value}")

        import time_machine

        client = Client()
        client.force_login(data["owner"])
        org, year, edition = data["oem"].pk, data["year"], data["edition"].pk
        pages = {
            "supply tree": f"/o/{org}/supply-tree/?year={year}&edition={edition}",
            "weakest links": f"/o/{org}/weakest-links/?year={year}",
            "direct suppliers": f"/o/{org}/suppliers/?year={year}&edition={edition}",
        }
        results = {}
        with time_machine.travel(datetime.datetime(2026, 11, 1, 10, tzinfo=datetime.UTC), tick=True):
            for name, url in pages.items():
                results[name] = measure(client, url, args.runs)
        print(f"\nWhole page through Django's test client, {args.runs} runs each (median / min / max, queries):")
        for name, (median, low, high, queries, _response) in results.items():
            target = "  (target <= 1 s)" if name != "direct suppliers" else ""
            print(
                f"  {name:16s} {median * 1000:7.0f} ms / {low * 1000:.0f} / {high * 1000:.0f} ms, {queries} queries{target}"
            )

        from keiretsu.accounts.models import Membership
        from keiretsu.supplychain import selectors

        membership = Membership.objects.select_related("organisation").get(user=data["owner"])
        focus = selectors.Focus(year, data["edition"], [year], [data["edition"]])
        tree = selectors.supply_tree(membership, focus=focus, today=data["today"])
        print("\nThe tree as the OEM sees it:")
        for tier in tree.tiers:
            aggregate = tier.aggregate
            scores = (
                f"average over {aggregate.suppliers} results shared within the tree (not with the OEM): {aggregate.mean_rate} %, {aggregate.weak} weak"
                if aggregate and aggregate.shown
                else "no aggregate"
            )
            print(
                f"  tier {tier.tier}: {tier.known} known, {tier.submitted} submitted ({tier.coverage} %), {scores}; "
                f"{tier.shared_with_you} shared with the OEM directly"
            )
        weak = selectors.weakest_links(membership, fiscal_year=year).count()
        print(f"  weakest links visible to the OEM: {weak}")
        slow = [name for name, r in results.items() if name != "direct suppliers" and r[0] > 1.0]
        print("\nResult: " + ("OK, both pages within 1 s (median)." if not slow else f"TOO SLOW: {', '.join(slow)}"))
        return 1 if slow else 0
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
