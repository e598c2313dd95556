"""The plan as rows: the same columns in the CSV, the workbook's actions sheet and the API."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def action_header() -> list[str]:
    # Contexts keep these words the plan's own (other apps translate "Owner" or "Items" otherwise).
    return [
        pgettext("plan", "Action"), pgettext("plan", "Assessed"), pgettext("plan", "Guideline edition"),
        pgettext("plan", "Items"), pgettext("plan", "Levels"), pgettext("plan", "Owner"),
        pgettext("plan", "Start date"), pgettext("plan", "Due date"), pgettext("plan", "Status"),
        pgettext("plan", "Overdue"), pgettext("plan", "Closes"), pgettext("plan", "Progress"),
    ]


def action_row(row) -> list:
    action = row.action
    return [
        action.title,
        action.scope.display_name,
        f"{action.edition.guideline.slug} {action.edition.code}",
        ", ".join(item.number for item in row.items),
        ", ".join(sorted({item.level for item in row.items if item.level})),
        str(action.owner) if action.owner else "",
        action.start_date.isoformat(),
        action.due_date.isoformat(),
        action.get_status_display(),
        _("yes") if row.overdue else "",
        row.closes,
        action.progress_note,
    ]


def action_rows(rows) -> list[list]:
    return [action_header(), *(action_row(row) for row in rows)]


def action_json(row) -> dict:
    action = row.action
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "scope": {"id": action.scope_id, "name": action.scope.display_name},
        "guideline": action.edition.guideline.slug,
        "edition": action.edition.code,
        "items": [item.number for item in row.items],
        "owner": action.owner.email if action.owner else None,
        "start_date": action.start_date.isoformat(),
        "due_date": action.due_date.isoformat(),
        "status": action.status,
        "overdue": row.overdue,
        "closes_gap_items": row.closes,
        "progress_note": action.progress_note,
    }


def target_header() -> list[str]:
    return [
        pgettext("plan", "Guideline"), pgettext("plan", "Guideline edition"), pgettext("plan", "Target level"),
        pgettext("plan", "Target date"), pgettext("plan", "Set by"),
    ]


def target_row(target) -> list:
    edition = target.edition
    return [
        edition.guideline.display_title,
        edition.code,
        target.level,
        target.target_date.isoformat(),
        _("programme default") if target.is_default else _("your organisation"),
    ]


def target_rows(targets) -> list[list]:
    return [target_header(), *(target_row(target) for target in targets)]


def target_json(target) -> dict:
    return {
        "guideline": target.edition.guideline.slug,
        "edition": target.edition.code,
        "level": target.level,
        "target_date": target.target_date.isoformat(),
        "default": target.is_default,
    }
