"""Reads of the supply chain, always from the point of view of the acting membership.

Confidentiality rules, in one place:
- A customer sees its own supplier list and requests, and the status of each request (status
  counts travel up the tree: they say how far a supplier is, never how it scored).
- Scores are read only through an active `Share` whose recipient is the acting organisation,
  at the detail the supplier chose. Deeper suppliers that did not share with the viewer
  directly appear only in aggregates over at least BENCHMARK_MIN_GROUP_SIZE suppliers, and
  only with results they shared with their own customer in the tree.
- A supplier sees the requests addressed to it (its inbox) and its own shares.

Modules: landing (the first screen after signing in, for every role), status (where a supplier stands on a request, as SQL), suppliers (the customer's
list, requests and received results), inbox (the supplier's side), tree (the supply tree
and the weakest links). The public names are importable from here.
"""

from .inbox import (
    assessments_for_request,
    inbox,
    inbox_request_for,
    passed_on_requests,
    requests_to_pass_on,
    share_given_for,
    share_recipients,
    shareable_assessments,
    shares_given,
    upstream_requests,
)
from .landing import FirstScreen, first_screen
from .status import status_counts, status_expression, supplier_status, supplier_status_of
from .suppliers import (
    SORTS,
    Focus,
    Registration,
    claims_for,
    focus_for,
    registration_expression,
    registration_of,
    request_reminders,
    sent_request_for,
    share_received_for,
    shared_answers,
    supplier_for,
    supplier_import_for,
    supplier_invitations,
    supplier_requests,
    supplier_rows,
    supplier_shares,
    suppliers_of,
)
from .tree import (
    Aggregate,
    Branch,
    SupplyTree,
    TierRow,
    results_shared_with,
    supply_tree,
    tree_paths,
    weakest_links,
)

__all__ = [
    "SORTS",
    "Aggregate",
    "Branch",
    "Focus",
    "Registration",
    "SupplyTree",
    "TierRow",
    "assessments_for_request",
    "claims_for",
    "focus_for",
    "inbox",
    "inbox_request_for",
    "passed_on_requests",
    "registration_expression",
    "registration_of",
    "request_reminders",
    "requests_to_pass_on",
    "results_shared_with",
    "sent_request_for",
    "share_given_for",
    "share_received_for",
    "share_recipients",
    "shareable_assessments",
    "shared_answers",
    "shares_given",
    "status_counts",
    "status_expression",
    "supplier_for",
    "supplier_import_for",
    "supplier_invitations",
    "supplier_requests",
    "supplier_rows",
    "supplier_shares",
    "supplier_status",
    "supplier_status_of",
    "suppliers_of",
    "supply_tree",
    "tree_paths",
    "upstream_requests",
    "weakest_links",
]
