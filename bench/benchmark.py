"""Benchmark release recompute: `python bench/benchmark.py` (PostgreSQL: set DATABASE_URL).

Generates, with a fixed seed, companies that each submitted a 153-item enterprise-like edition
(Lv1 50, Lv2 74, Lv3 29 items in 12 labels, 19 priority items) to an industry body, and times
`services.release_recompute` (the whole service: aggregation queries, statistics, suppression,
the draft and its audit row) at 1,000, 10,000 and 100,000 submissions (153,000 to 15.3 million
answers). Target: <= 10 s at 10,000 submissions on PostgreSQL.

The data are realistic in their spread: each company has a latent maturity (by size band and
tier, with individual variation); each item a difficulty (by level, by label, and its own);
a company achieves an item with a logistic probability; some items are not applicable to some
companies. Segments are skewed like the real supply chain (few OEMs, many small tier 2-4), so
some segment combinations are small and the suppression audit has work to do.

It runs in its own throw-away database (the test database machinery, named bench_<name>), so
it never touches the development or test data. Options: --sizes 1000,10000 --seed 2025 --keep.
"""

import argparse
import math
import os
import random
import statistics as stats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keiretsu.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

LEVELS = (("Lv1", 50), ("Lv2", 74), ("Lv3", 29))
LABELS = [
    "ガバナンス",
    "リスク管理",
    "資産管理",
    "アクセス制御",
    "教育・訓練",
    "物理的対策",
    "ネットワーク",
    "脆弱性管理",
    "ログ・監視",
    "インシデント対応",
    "バックアップ・復旧",
    "取引先管理",
]
TIERS = [(0, 0.012), (1, 0.18), (2, 0.34), (3, 0.26), (4, 0.208)]
SIZES_BY_TIER = {
    0: [("large", 1.0)],
    1: [("large", 0.55), ("medium", 0.43), ("small", 0.02)],
    2: [("large", 0.12), ("medium", 0.68), ("small", 0.20)],
    3: [("large", 0.03), ("medium", 0.57), ("small", 0.40)],
    4: [("large", 0.01), ("medium", 0.39), ("small", 0.60)],
}
TYPES_BY_TIER = {
    0: [("vehicle_maker", 1.0)],
    1: [("parts", 0.78), ("materials", 0.06), ("equipment", 0.05), ("software", 0.06), ("trading", 0.05)],
    2: [
        ("parts", 0.66),
        ("materials", 0.12),
        ("equipment", 0.09),
        ("software", 0.04),
        ("logistics", 0.05),
        ("trading", 0.03),
        ("other", 0.01),
    ],
    3: [
        ("parts", 0.60),
        ("materials", 0.14),
        ("equipment", 0.11),
        ("logistics", 0.07),
        ("trading", 0.05),
        ("other", 0.03),
    ],
    4: [
        ("parts", 0.52),
        ("materials", 0.16),
        ("equipment", 0.12),
        ("logistics", 0.09),
        ("trading", 0.06),
        ("other", 0.05),
    ],
}
MATURITY = {"small": -0.7, "medium": 0.0, "large": 0.8}
TIER_BONUS = {0: 0.9, 1: 0.35, 2: 0.0, 3: -0.2, 4: -0.4}


def pick(rng, weighted):
    x, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if x < acc:
            return value
    return weighted[-1][0]


def edition_spec(rng):
    from keiretsu.catalogue.loader import EditionSpec, ItemSpec, SectionSpec

    sections = [SectionSpec(f"{i + 1:02d}", title, "", "", None, i + 1) for i, title in enumerate(LABELS)]
    items, number = [], 0
    priority_left = 19
    for level, count in LEVELS:
        for _ in range(count):
            number += 1
            label = sections[rng.randrange(len(sections))].code
            priority = level == "Lv1" and priority_left > 0 and rng.random() < 0.5
            priority_left -= priority
            items.append(
                ItemSpec(str(number), label, number, level, {"title": f"対策項目 No.{number}"}, priority, [], {})
            )
    return EditionSpec(
        guideline={
            "id": "bench-enterprise",
            "title": "ベンチマーク用ガイドライン",
            "title_en": "Bench",
            "publisher": "",
        },
        edition={
            "id": "1.0",
            "title": "生成版 (153項目)",
            "title_en": "",
            "published": None,
            "assessed_per": "company",
            "source": "bench/benchmark.py",
            "attributes": [],
        },
        scale={
            "symbols": [
                {"symbol": "○", "label": "達成"},
                {"symbol": "×", "label": "未達成"},
                {"symbol": "－", "label": "対象外"},
            ],
            "achieved": ["○"],
            "examined": ["○"],
            "not_applicable": ["－"],
            "requires_reason": [],
        },
        levels=[{"code": code, "title": code, "title_en": code} for code, _ in LEVELS],
        sections=sections,
        items=sorted(items, key=lambda i: (i.section_code, i.position)),
        content_hash="bench-enterprise-1.0",
        file_name="bench",
    )


def copy_rows(table, columns, rows):
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def reset_sequence(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


class World:
    def __init__(self, seed):
        from keiretsu.accounts.models import Membership, Organisation, User
        from keiretsu.accounts.services import organisation_create, user_create
        from keiretsu.benchmark import services
        from keiretsu.catalogue.selectors import edition_structure
        from keiretsu.catalogue.services import edition_load
        from keiretsu.lib.corporate_number import with_check_digit
        from keiretsu.lib.fiscal_year import fiscal_year_of

        self.rng = random.Random(seed)
        self.with_check_digit = with_check_digit
        self.fiscal_year = fiscal_year_of(timezone.localdate())
        self.edition = edition_load(spec=edition_spec(self.rng)).edition
        self.structure = edition_structure(self.edition)
        self.scored = self.structure.scored_items()
        owner = user_create(email="owner@body.example", password="bench-only-password", name="Bench", verified=True)
        body = organisation_create(
            actor=owner,
            name="一般社団法人 ベンチ工業会",
            corporate_number=with_check_digit("999999999999"),
            size_band="large",
            business_type="other",
            tier=0,
        )
        services.industry_body_set(actor=None, organisation=body, is_body=True)
        self.membership = Membership.objects.select_related("organisation").get(organisation=body)
        self.membership.organisation = Organisation.objects.get(pk=body.pk)
        self.owner = owner
        self.round = services.round_open(
            membership=self.membership,
            actor=owner,
            fiscal_year=self.fiscal_year,
            editions=[self.edition],
            deadline=timezone.localdate(),
        )
        # Item difficulty: by level, by label, and its own; some items do not apply to everyone.
        label_effect = {s.code: self.rng.gauss(0, 0.4) for s in self.structure.sections}
        base = {"Lv1": -1.3, "Lv2": 0.0, "Lv3": 1.3}
        self.difficulty = [base[i.level] + label_effect[i.sections[0]] + self.rng.gauss(0, 0.5) for i in self.scored]
        self.not_applicable = [self.rng.uniform(0.03, 0.2) if self.rng.random() < 0.15 else 0.0 for _ in self.scored]
        self.item_ids = [item.pk for item in self.structure.items]
        self.count = 0

    def add(self, n):
        """n more companies, each with a submitted assessment sent to the round."""
        while n > 0:
            chunk = min(n, 5_000)  # one transaction per chunk: the deferred foreign-key checks stay small
            self._add(chunk)
            n -= chunk
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _add(self, n):
        from keiretsu.accounts.models import Organisation, Scope
        from keiretsu.assessments.models import Answer, Assessment
        from keiretsu.benchmark.models import Submission, SubmissionScore
        from keiretsu.programme.scoring import score

        rng, edition, now = self.rng, self.edition, timezone.now()
        scale, levels = edition.rating_scale, edition.level_codes
        ids = {}
        for model in (Organisation, Scope, Assessment, Submission):
            ids[model] = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        orgs, scopes, assessments, answers, submissions, scores = [], [], [], [], [], []
        answer_id = (Answer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        score_id = (SubmissionScore.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        for i in range(n):
            self.count += 1
            tier = pick(rng, TIERS)
            size = pick(rng, SIZES_BY_TIER[tier])
            kind = pick(rng, TYPES_BY_TIER[tier])
            maturity = MATURITY[size] + TIER_BONUS[tier] + rng.gauss(0, 0.9)
            org_id, scope_id, assessment_id, submission_id = (
                ids[m] + i for m in (Organisation, Scope, Assessment, Submission)
            )
            orgs.append(
                (
                    org_id,
                    f"ベンチ部品 {self.count:06d} 株式会社",
                    self.with_check_digit(f"5{self.count:011d}"),
                    size,
                    kind,
                    tier,
                    False,
                    now,
                )
            )
            scopes.append((scope_id, org_id, "company", f"ベンチ部品 {self.count:06d} 株式会社", None, now))
            ratings = {}
            for item, d, na in zip(self.scored, self.difficulty, self.not_applicable, strict=True):
                if na and rng.random() < na:
                    ratings[item.number] = "－"
                else:
                    ratings[item.number] = "○" if rng.random() < 1 / (1 + math.exp(d - 1.6 * maturity)) else "×"
            summary = score(scale=scale, levels=levels, items=self.scored, ratings=ratings)
            snapshot = summary.as_dict()
            assessments.append(
                (
                    assessment_id,
                    org_id,
                    scope_id,
                    edition.pk,
                    self.fiscal_year,
                    1,
                    None,
                    "submitted",
                    None,
                    now,
                    now,
                    now,
                    None,
                    _json(snapshot),
                )
            )
            for item_id, item in zip(self.item_ids, self.scored, strict=True):
                answers.append((answer_id, assessment_id, item_id, ratings[item.number], "", "", None, now))
                answer_id += 1
            attained = levels.index(summary.level_attained) + 1 if summary.level_attained else 0
            submissions.append(
                (
                    submission_id,
                    self.round.pk,
                    org_id,
                    assessment_id,
                    edition.pk,
                    "active",
                    tier,
                    size,
                    kind,
                    attained,
                    "bench",
                    now,
                    None,
                    None,
                    None,
                )
            )
            rates = [("overall", "", summary.overall)] + [("level", c, r) for c, r in summary.by_level.items()]
            rates += [("section", c, r) for c, r in summary.by_section.items()] + [("priority", "", summary.priority)]
            for kind_, code, rate in rates:
                scores.append((score_id, submission_id, kind_, code, rate.achieved, rate.applicable))
                score_id += 1
        with transaction.atomic():
            copy_rows("accounts_organisation", [f.column for f in Organisation._meta.concrete_fields], orgs)
            copy_rows("accounts_scope", [f.column for f in Scope._meta.concrete_fields], scopes)
            copy_rows("assessments_assessment", [f.column for f in Assessment._meta.concrete_fields], assessments)
            copy_rows("assessments_answer", [f.column for f in Answer._meta.concrete_fields], answers)
            copy_rows("benchmark_submission", [f.column for f in Submission._meta.concrete_fields], submissions)
            copy_rows("benchmark_submissionscore", [f.column for f in SubmissionScore._meta.concrete_fields], scores)
            for table in (
                "accounts_organisation",
                "accounts_scope",
                "assessments_assessment",
                "assessments_answer",
                "benchmark_submission",
                "benchmark_submissionscore",
            ):
                reset_sequence(table)

    def recompute(self):
        from keiretsu.benchmark import services

        timings = []

        def timed(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append((time.perf_counter() - start, sql))

        start = time.perf_counter()
        with connection.execute_wrapper(timed):
            release = services.release_recompute(
                membership=self.membership, actor=self.owner, round=self.round, edition=self.edition
            )
        return time.perf_counter() - start, release, timings


def _json(value):
    import json

    return json.dumps(value, ensure_ascii=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="cumulative numbers of submissions")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3, help="recomputes per size (the median is reported)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
    db["TEST"] = {**db.get("TEST", {}), "NAME": f"bench_{db['NAME']}"}
    settings.DEBUG = False
    from django.test.utils import setup_test_environment

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    print(
        f"database {name} on PostgreSQL {connection.pg_version // 10000}, k = {settings.BENCHMARK_MIN_GROUP_SIZE}, "
        f"seed {args.seed}"
    )
    try:
        world = World(args.seed)
        print(
            f"edition: {len(world.scored)} items ({', '.join(f'{c} {n}' for c, n in LEVELS)}), "
            f"{len(world.structure.sections)} labels, {sum(i.priority for i in world.scored)} priority items\n"
        )
        print(
            f"{'submissions':>12} {'answers':>12} {'generate s':>11} {'recompute s':>12} {'per 1,000 s':>12} "
            f"{'database s':>11} {'python s':>9} {'queries':>8} {'slowest query s':>16}"
        )
        results = []
        for target in sizes:
            started = time.perf_counter()
            world.add(target - world.count)
            generated = time.perf_counter() - started
            runs = [world.recompute() for _ in range(args.repeat)]
            seconds = stats.median(run[0] for run in runs)
            _, release, timings = runs[-1]
            database = stats.median(sum(t for t, _ in run[2]) for run in runs)
            answers = world.count * len(world.scored)
            print(
                f"{world.count:>12,} {answers:>12,} {generated:>11.1f} {seconds:>12.2f} "
                f"{seconds / world.count * 1000:>12.3f} {database:>11.2f} {seconds - database:>9.2f} "
                f"{len(timings):>8} {max(t for t, _ in timings):>16.2f}"
            )
            results.append((world.count, seconds, timings, database))
        print("\nslowest queries of the last recompute:")
        for seconds, sql in sorted(results[-1][2], reverse=True)[:4]:
            print(f"  {seconds:6.2f} s  {sql[:110]}")
        if len(results) > 1:
            first, last = results[0], results[-1]
            print(
                f"\ngrowth: x{last[0] / first[0]:.0f} submissions -> x{last[1] / first[1]:.1f} time "
                f"(database x{last[3] / first[3]:.1f})"
            )
        hidden = sum(1 for g in release.statistics["groups"].values() if g["status"] in ("below_k", "complementary"))
        print(f"segments hidden in the last release: {hidden}")
        ten = next((r[1] for r in results if r[0] == 10_000), None)
        if ten is not None:
            print(f"target at 10,000 submissions: <= 10 s: {'met' if ten <= 10 else 'NOT met'} ({ten:.2f} s)")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
