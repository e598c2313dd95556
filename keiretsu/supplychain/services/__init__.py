"""Writes of the supply chain. Each one checks the acting member's right, validates everything
before writing, writes in one transaction with its audit rows, and sends e-mail (through the
task queue) only after the transaction commits.

One module per subject; the public names are importable from here:
errors (refusals), identity (verified company identity: claims, verification, linking
by hand), suppliers (the customer's list), invitations (e-mail invitations and
linking a company that joins), requests (ask, withdraw, accept, decline), tree (every
RequestPath write, sending a request into the tree, passing requests on), sharing (consent
to show a result). The manual reminder is in `supplychain.reminders` with the automatic ones.
"""

from .errors import Conflict, InvitationProblem, MailLimitReached, SupplyChainError
from .invitations import (
    invitation_accept,
    invitation_by_token,
    invitation_check_user,
    invitation_issue_token,
    invitation_target,
    registration_defaults,
    supplier_invite,
    supplier_link_organisation,
)
from .identity import (
    UNVERIFIED_WARNING,
    organisation_verify,
    supplier_link_claim,
    supplier_unlink_claim,
    unverified_claims,
    verified_holder,
)
from .requests import request_accept, request_decline, request_withdraw, requests_send
from .sharing import share_create, share_withdraw, snapshot_figures
from .suppliers import (
    SUPPLIER_FIELDS,
    ImportPreview,
    ImportResult,
    supplier_add,
    supplier_remove,
    supplier_update,
    suppliers_import,
    suppliers_import_confirm,
    suppliers_import_discard,
    suppliers_import_prepare,
    suppliers_import_preview,
)
from .tree import SendResult, Skipped, requests_pass_on

__all__ = [
    "SUPPLIER_FIELDS",
    "UNVERIFIED_WARNING",
    "Conflict",
    "ImportPreview",
    "ImportResult",
    "InvitationProblem",
    "MailLimitReached",
    "SendResult",
    "Skipped",
    "SupplyChainError",
    "invitation_accept",
    "invitation_by_token",
    "invitation_check_user",
    "invitation_issue_token",
    "invitation_target",
    "organisation_verify",
    "supplier_link_claim",
    "supplier_unlink_claim",
    "unverified_claims",
    "verified_holder",
    "registration_defaults",
    "request_accept",
    "request_decline",
    "request_withdraw",
    "requests_pass_on",
    "requests_send",
    "share_create",
    "share_withdraw",
    "snapshot_figures",
    "supplier_add",
    "supplier_invite",
    "supplier_link_organisation",
    "supplier_remove",
    "supplier_update",
    "suppliers_import",
    "suppliers_import_confirm",
    "suppliers_import_discard",
    "suppliers_import_prepare",
    "suppliers_import_preview",
]
