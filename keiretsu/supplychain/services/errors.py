"""The refusals of the supply chain's services: a message for a person and the HTTP status."""


class SupplyChainError(Exception):
    """A refused change, with a message for a person and the HTTP status that fits it."""

    status = 400

    def __init__(self, message, *, problems=()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


class Conflict(SupplyChainError):
    status = 409


class InvitationProblem(SupplyChainError):
    status = 410
