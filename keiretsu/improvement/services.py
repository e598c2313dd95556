"""Writes to the improvement plan. Each one checked, audited, in one transaction."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from keiretsu.accounts import audit
from keiretsu.accounts.models import Membership
from keiretsu.catalogue.models import Edition
from keiretsu.lib.refusals import BadInput, NotAllowed, Refusal

from .models import ImprovementEvent, Target


class ImprovementError(Refusal):
    """A refused change to the improvement plan (lib.refusals: message, status, problems)."""


class InvalidPlan(ImprovementError, BadInput):
    pass


def target_set(
    *, membership: Membership, actor, edition: Edition, level: str, target_date: datetime.date
) -> Target:
    """The owner sets the organisation's target level and date for an edition."""
    if not membership.can_manage:
        raise NotAllowed(_("Only an owner can change the target level."))
    if not edition.level_codes:
        raise InvalidPlan(_("This edition has no levels, so it has no target level."))
    if level not in edition.level_codes:
        raise InvalidPlan(
            _("“%(level)s” is not a level of this edition. Choose one of: %(levels)s")
            % {"level": level[:20], "levels": " ".join(edition.level_codes)}
        )
    if not isinstance(target_date, datetime.date):
        raise InvalidPlan(_("Give the target date as a date."))
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(organisation=membership.organisation, edition=edition).first()
        before = {"level": target.level, "target_date": target.target_date.isoformat()} if target else None
        after = {"level": level, "target_date": target_date.isoformat()}
        if before == after:
            return target
        if target is None:
            target = Target(organisation=membership.organisation, edition=edition)
        target.level, target.target_date, target.updated_by = level, target_date, actor
        target.save()
        audit.record(
            actor=actor,
            organisation=membership.organisation,
            event=ImprovementEvent.TARGET_SET,
            target=target,
            target_label=f"{edition.guideline.display_title} {edition.display_title}",
            before=before,
            after=after,
        )
    return target
