"""The management report's 「対策計画」 section: the open improvement actions of the assessment's
scope and edition, by level, with owner and due date, overdue ones marked. Read through the
improvement app's selectors (plan_rows: a constant number of queries)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from keiretsu.assessments.models import Assessment
from keiretsu.improvement import selectors as improvement_selectors
from keiretsu.improvement.models import Action


@dataclass(frozen=True)
class _Organisation:
    """What the improvement selectors ask of a membership: the organisation (the report is read
    for an assessment already found through the member's organisation)."""

    organisation: object

    @property
    def organisation_id(self):
        return self.organisation.pk


@dataclass
class PlanLevel:
    level: str  # "" for an edition without levels
    rows: list = field(default_factory=list)  # improvement.selectors.PlanRow


@dataclass
class ReportPlan:
    levels: list[PlanLevel]
    total: int
    overdue: int
    today: datetime.date


def report_plan(assessment: Assessment, today: datetime.date | None = None) -> ReportPlan:
    today = today or timezone.localdate()
    reader = _Organisation(assessment.organisation)
    actions = (
        improvement_selectors.actions_of(reader)
        .filter(scope=assessment.scope_id, edition=assessment.edition_id, status__in=Action.OPEN)
    )
    rows = improvement_selectors.plan_rows(reader, actions, today)
    order = {code: index for index, code in enumerate(assessment.edition.level_codes)}
    rows.sort(key=lambda row: (order.get(row.level, len(order)), row.action.due_date, row.action.pk))
    levels: list[PlanLevel] = []
    for row in rows:
        if not levels or levels[-1].level != row.level:
            levels.append(PlanLevel(row.level))
        levels[-1].rows.append(row)
    return ReportPlan(levels, len(rows), sum(1 for row in rows if row.overdue), today)
