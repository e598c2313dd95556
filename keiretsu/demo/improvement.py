"""The demo company's improvement cycle (`keiretsu demo`): three fiscal years of submitted
assessments before this year's (so the trend over the years shows), a target, a plan with an
action in every status (one of them overdue) and one evidence file."""

import datetime
import random

from django.core.files.base import ContentFile
from django.utils import timezone

from keiretsu.assessments import services as assessment_services
from keiretsu.assessments.models import Answer
from keiretsu.catalogue.models import Edition
from keiretsu.improvement import services as improvement_services
from keiretsu.improvement.models import Action

HISTORY_YEARS = 3
# The share of items achieved in each of the three years: the company improves year by year.
ACHIEVED_SHARE = (0.35, 0.5, 0.62)


def create_history(membership, scope, edition: Edition, this_year: int, rng: random.Random):
    """Submitted assessments of the three fiscal years before this one, every item answered.
    An item once achieved mostly stays so; a few slip back (the trend page lists them)."""
    scale = edition.rating_scale
    achieved = sorted(scale.achieved)
    others = [s for s in scale.codes if s not in scale.achieved]
    items = list(edition.items.order_by("position"))
    readiness = {item.pk: rng.random() for item in items}
    for index, year in enumerate(range(this_year - HISTORY_YEARS, this_year)):
        assessment = assessment_services.assessment_create(
            membership=membership, actor=membership.user, scope=scope, edition=edition, fiscal_year=year
        )
        answers = []
        for item in items:
            done = readiness[item.pk] < ACHIEVED_SHARE[index] and rng.random() > 0.04
            rating = rng.choice(achieved) if done else rng.choice(others)
            reason = "予算化を来年度に予定しているため、今年度は見送り。" if scale.needs_reason(rating) else ""
            answers.append(Answer(assessment=assessment, item=item, rating=rating, reason=reason, updated_by=membership.user))
        Answer.objects.bulk_create(
            answers, update_conflicts=True, unique_fields=["assessment", "item"], update_fields=["rating", "reason"]
        )
        assessment_services.assessment_submit(membership=membership, actor=membership.user, assessment=assessment)


def create_plan(membership, scope, edition: Edition, assessment):
    """A target for the edition, an action in every status (one planned one overdue), and an
    evidence file on one answer of this year's assessment."""
    user = membership.user
    today = timezone.localdate()
    if edition.level_codes:
        improvement_services.target_set(
            membership=membership,
            actor=user,
            edition=edition,
            level=edition.level_codes[min(1, len(edition.level_codes) - 1)],
            target_date=datetime.date(today.year + (1 if today.month >= 4 else 0), 3, 31),
        )
    scale = edition.rating_scale
    rated = dict(Answer.objects.filter(assessment=assessment).values_list("item_id", "rating"))
    open_items = [item for item in edition.items.order_by("position") if not scale.is_achieved(rated.get(item.pk, ""))]
    plans = [
        ("バックアップの取得手順を文書化する", Action.Status.IN_PROGRESS, -30, 20, "手順書の初版を作成済み。"),
        ("ウイルス対策ソフトを全端末に導入する", Action.Status.PLANNED, -60, -5, ""),
        ("委託先のセキュリティ要件を契約書に追加する", Action.Status.PLANNED, 0, 60, ""),
        ("管理者パスワードを個別化する", Action.Status.DONE, -90, -20, "全サーバーで完了。評価を見直す。"),
        ("USB メモリの使用を禁止する", Action.Status.CANCELLED, -80, -10, "生産設備の保守で必要なため、持込み管理に切り替え。"),
    ]
    actions = []
    for index, (title, status, start, due, note) in enumerate(plans):
        items = open_items[index * 2 : index * 2 + 2] or open_items[:1]
        if not items:
            break
        actions.append(improvement_services.action_create(
            membership=membership,
            actor=user,
            scope=scope,
            edition=edition,
            items=items,
            title=title,
            owner=user,
            start_date=today + datetime.timedelta(days=start),
            due_date=today + datetime.timedelta(days=due),
            status=status,
            progress_note=note,
        ))
    if actions and open_items:
        improvement_services.evidence_add(
            membership=membership,
            actor=user,
            upload=ContentFile(
                "バックアップ取得手順（初版）\n1. 毎日 18 時に共有フォルダを外付けディスクへ複製する。\n".encode(),
                name="backup-procedure.txt",
            ),
            assessment=assessment,
            item=open_items[0],
        )
