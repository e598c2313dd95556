"""One family of refusals for every app: a message for a person, the HTTP status that fits it,
and the problems (each saying where it is) when there are several.

Each app's errors derive from `Refusal` (and from the kind that fits: `Conflict`, ...); views
map an uncaught refusal once (`lib.middleware.RefusalMiddleware`), and `api_view` maps every
refusal to a JSON error once. `NotAllowed` is also Django's PermissionDenied (403) and
`NotFound` Django's Http404 (404, the answer to another organisation's object: docs/rules.md,
"Visibility"), so code that expects those still gets them.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _


class Refusal(Exception):
    """A refused change or request. The status is the kind's; an app's base class sets none."""

    status = 400

    def __init__(self, message, *, problems=()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


class BadInput(Refusal):
    status = 400


class NotAllowed(Refusal, PermissionDenied):
    """The acting member's role may not do this."""

    status = 403


class NotFound(Refusal, Http404):
    """No such object for the acting organisation (unknown, or another organisation's)."""

    status = 404


class Conflict(Refusal):
    """The change does not fit the object's current state (already done, frozen, outdated)."""

    status = 409


class Gone(Refusal):
    """A link that no longer works (used, replaced, expired)."""

    status = 410


def require_own(membership, organisation_id):
    """Defence in depth behind the selectors: a service handed another organisation's object
    refuses it as the selectors do, with a 404."""
    if organisation_id != membership.organisation_id:
        raise NotFound(_("This is not one of your organisation's."))


def message_of(exc) -> str:
    """The text to show a person for a refusal or a ValidationError."""
    if isinstance(exc, Refusal):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
