"""The audit log as people read it: one place that turns an `AuditEvent` row into a sentence in
the reader's language and a field-by-field before → after table (labels, not keys; dates,
yes/no and coded values as people write them).

Each app describes its events where it registers them (`audit.register_events`), with
`describe(EventChoices, sentences={...}, labels={...}, values={...})`: a sentence per event
code (`%(actor)s` and `%(target)s` are filled in), labels for the keys its rows carry that are
not in FIELD_LABELS below, and the labels of coded values (a TextChoices class, or a mapping)
per key. Rows written one by one (`audit.record`) and in bulk (`audit.record_many`) have the
same shape, so they read the same. The page, the CSV export and the JSON API all use `readable`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Labels of the keys many events share; an app adds its own with describe(labels=...).
FIELD_LABELS = {
    "item": gettext_lazy("Item"),
    "rating": gettext_lazy("Rating"),
    "reason": gettext_lazy("Reason"),
    "comment": gettext_lazy("Comment"),
    "status": gettext_lazy("Status"),
    "name": gettext_lazy("Name"),
    "email": gettext_lazy("E-mail address"),
    "role": gettext_lazy("Role"),
    "expires_at": gettext_lazy("Valid until"),
    "kind": gettext_lazy("Kind"),
    "parent": gettext_lazy("Belongs to"),
    "organisation": gettext_lazy("Organisation"),
    "corporate_number": gettext_lazy("Corporate number"),
    "size_band": gettext_lazy("Size"),
    "business_type": gettext_lazy("Business type"),
    "tier": gettext_lazy("Tier"),
    "scope": gettext_lazy("Assessed"),
    "edition": gettext_lazy("Guideline edition"),
    "editions": gettext_lazy("Guideline editions"),
    "guideline": gettext_lazy("Guideline"),
    "fiscal_year": gettext_lazy("Fiscal year"),
    "revision": gettext_lazy("Revision"),
    "assessment": gettext_lazy("Assessment"),
    "note": gettext_lazy("Note"),
    "due_date": gettext_lazy("Due date"),
    "deadline": gettext_lazy("Deadline"),
    "version": gettext_lazy("Version"),
    "company": gettext_lazy("Company"),
    "scores": gettext_lazy("Scores"),
    "file": gettext_lazy("File"),
    "sha256": gettext_lazy("File fingerprint (SHA-256)"),
}

NOBODY = gettext_lazy("Keiretsu (automatic)")


@dataclass
class _Description:
    sentence: object
    labels: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


_DESCRIPTIONS: dict[str, _Description] = {}


def describe(choices, *, sentences: dict, labels: dict | None = None, values: dict | None = None):
    """Register how an app's events read: a sentence per code of `choices`, and for its rows
    the labels of their keys and of their coded values ({key: TextChoices or {value: label}})."""
    value_maps = {key: _value_map(choice) for key, choice in (values or {}).items()}
    for code in choices.values:
        if code in sentences:
            _DESCRIPTIONS[code] = _Description(sentences[code], dict(labels or {}), value_maps)


def _value_map(choice) -> dict:
    if isinstance(choice, dict):
        return choice
    return {value: label for value, label in choice.choices}


def has_sentence(code: str) -> bool:
    return code in _DESCRIPTIONS


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class ReadableEvent:
    event: object  # the AuditEvent
    at: datetime.datetime
    actor: str
    event_label: str
    sentence: str
    target: str
    changes: list[Change]


def actor_name(user) -> str:
    if user is None:
        return str(NOBODY)
    return user.name or user.email


def readable(event) -> ReadableEvent:
    """The row as a person reads it, in the active language."""
    description = _DESCRIPTIONS.get(event.event)
    actor = actor_name(event.actor)
    target = event.target_label
    if description is None:  # an event an app forgot to describe: still readable
        sentence = _("%(actor)s: %(event)s (%(target)s).") % {
            "actor": actor,
            "event": event.event_label,
            "target": target,
        }
    else:
        sentence = str(description.sentence) % {"actor": actor, "target": target}
    return ReadableEvent(
        event=event,
        at=timezone.localtime(event.created_at),
        actor=actor,
        event_label=str(event.event_label),
        sentence=sentence,
        target=target,
        changes=_changes(event.before, event.after, description),
    )


def _changes(before, after, description) -> list[Change]:
    before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    keys = list(before) + [key for key in after if key not in before]
    both = bool(before) and bool(after)  # a change (else a creation or a removal: every value counts)
    changes = []
    for key in keys:
        old, new = _value(key, before.get(key), description), _value(key, after.get(key), description)
        if old == new and (both or not old):
            continue  # unchanged (the sentence and its target say which object it is), or nothing either side
        changes.append(Change(key, _label(key, description), old, new))
    return changes


def _label(key: str, description) -> str:
    if description is not None and key in description.labels:
        return str(description.labels[key])
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    return key.replace("_", " ").capitalize()


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _value(key: str, value, description) -> str:
    """A stored value as people write it; "" for nothing."""
    if value is None or value == "":
        return ""
    labels = description.values.get(key, {}) if description is not None else {}
    if not isinstance(value, (dict, list)) and value in labels:
        return str(labels[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "scores" and isinstance(value, dict) and "overall" in value:
        return _scores(value)
    if isinstance(value, dict):
        return _("; ").join(_pair(_label(k, description), _value(k, v, description)) for k, v in value.items())
    if isinstance(value, list):
        return _(", ").join(_value(key, v, description) for v in value)
    if isinstance(value, str):
        if ISO_DATE.match(value) and (date := parse_date(value)):
            return date_format(date, "DATE_FORMAT")
        if ISO_DATETIME.match(value) and (moment := parse_datetime(value)):
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "DATETIME_FORMAT")
    return str(value)


def _pair(label: str, value: str) -> str:
    return _("%(label)s: %(value)s") % {"label": label, "value": value or "—"}


def _scores(value: dict) -> str:
    from keiretsu.programme.scoring import Rate, percent

    overall = Rate(**value["overall"])
    rate = percent(overall.achievement)
    text = _("achievement rate %(rate)s (%(achieved)s of %(applicable)s)") % {
        "rate": "－" if rate is None else f"{rate}%",
        "achieved": overall.achieved,
        "applicable": overall.applicable,
    }
    if value.get("levels"):
        text += _(", level attained: %(level)s") % {"level": value.get("level_attained") or _("none")}
    return text


def register_account_events():
    from .models import AccountEvent, Organisation, Role, Scope

    describe(
        AccountEvent,
        sentences={
            AccountEvent.USER_SIGNED_UP: gettext_lazy("%(actor)s signed up."),
            AccountEvent.ORGANISATION_CREATED: gettext_lazy("%(actor)s registered the organisation %(target)s."),
            AccountEvent.ORGANISATION_UPDATED: gettext_lazy("%(actor)s changed the organisation's details."),
            AccountEvent.SCOPE_CREATED: gettext_lazy("%(actor)s added %(target)s."),
            AccountEvent.SCOPE_UPDATED: gettext_lazy("%(actor)s renamed a factory or line."),
            AccountEvent.MEMBER_INVITED: gettext_lazy("%(actor)s invited a member."),
            AccountEvent.INVITATION_REVOKED: gettext_lazy("%(actor)s withdrew an invitation."),
            AccountEvent.MEMBER_JOINED: gettext_lazy("%(actor)s joined the organisation."),
            AccountEvent.MEMBER_ROLE_CHANGED: gettext_lazy("%(actor)s changed the role of %(target)s."),
            AccountEvent.MEMBER_REMOVED: gettext_lazy("%(actor)s removed %(target)s from the members."),
            AccountEvent.SECURITY_CHANGED: gettext_lazy("%(actor)s changed the organisation's security settings."),
            AccountEvent.SIGNED_IN: gettext_lazy("%(target)s signed in."),
            AccountEvent.SIGN_IN_FAILED: gettext_lazy("A sign-in as %(target)s failed (wrong password)."),
            AccountEvent.SIGNED_OUT: gettext_lazy("%(target)s signed out."),
            AccountEvent.SIGNED_OUT_EVERYWHERE: gettext_lazy("%(target)s signed out on every device."),
            AccountEvent.PASSWORD_CHANGED: gettext_lazy("%(target)s changed their password."),
            AccountEvent.PASSWORD_RESET: gettext_lazy("%(target)s reset their password by e-mail."),
            AccountEvent.EMAIL_CHANGED: gettext_lazy("%(actor)s changed their e-mail address."),
            AccountEvent.MFA_ADDED: gettext_lazy("%(target)s added a second factor."),
            AccountEvent.MFA_REMOVED: gettext_lazy("%(target)s removed a second factor."),
            AccountEvent.RECOVERY_CODE_USED: gettext_lazy("%(target)s signed in with a recovery code."),
            AccountEvent.API_TOKEN_CREATED: gettext_lazy("%(target)s created an API token."),
            AccountEvent.API_TOKEN_REVOKED: gettext_lazy("%(target)s revoked an API token."),
        },
        labels={
            "address": gettext_lazy("Client address"),
            "require_mfa": gettext_lazy("Two-factor authentication required of every member"),
            "sessions": gettext_lazy("Sessions ended"),
            "prefix": gettext_lazy("Starts with"),
        },
        values={
            "role": Role,
            "size_band": Organisation.SizeBand,
            "business_type": Organisation.BusinessType,
            "tier": Organisation.Tier,
            "kind": {"totp": gettext_lazy("Authenticator app"), "webauthn": gettext_lazy("Security key or passkey"),
                     "recovery_codes": gettext_lazy("Recovery codes"), **dict(Scope.Kind.choices)},
        },
    )


register_account_events()
