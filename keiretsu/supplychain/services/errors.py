"""The refusals of the supply chain's services: a message for a person and the HTTP status."""

from keiretsu.lib import refusals


class SupplyChainError(refusals.Refusal):
    """A refused change in the supply chain (lib.refusals: message, status, problems). A role
    that may not act raises refusals.NotAllowed (403); another organisation's object,
    refusals.NotFound (404)."""


class Conflict(SupplyChainError, refusals.Conflict):
    pass


class InvitationProblem(SupplyChainError, refusals.Gone):
    pass


class MailLimitReached(SupplyChainError):
    """The organisation's e-mails to other companies for today are used up (outgoing.py)."""

    status = 429


class MailNotAllowed(SupplyChainError, refusals.NotAllowed):
    """The organisation (or person) may not send e-mail to other companies (outgoing.py)."""
