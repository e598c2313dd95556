"""What apps above the assessments add to the assessment pages (the improvement plan: the gap
to target, each item's actions, the next steps on the dashboard).

Imports run one way (docs/architecture.md): the assessments never import those apps. Each one
registers a contributor here from its AppConfig.ready; a page asks for the contributions and
hands them to its template under the names they give. A contributor takes the acting
membership and the page's objects and answers in a constant number of queries.
"""

from collections.abc import Callable

CHECKLIST = "checklist"  # contributor(membership, checklist: selectors.Checklist) -> dict
SCOREBOARD = "scoreboard"  # contributor(membership, scored: selectors.ScoredAssessment) -> dict
DASHBOARD = "dashboard"  # contributor(membership, entries: list[selectors.DashboardEntry]) -> dict
SHARED = "shared"  # contributor(recipient membership, share: an active full share) -> dict
# contributor(membership, assessment) -> {"workbook_sheets": [(sheet title, rows: header first)]}
WORKBOOK = "workbook"

_contributors: dict[str, list[Callable]] = {CHECKLIST: [], SCOREBOARD: [], DASHBOARD: [], SHARED: [], WORKBOOK: []}


def contributes(page: str):
    def register(contributor):
        if contributor not in _contributors[page]:
            _contributors[page].append(contributor)
        return contributor

    return register


def contributions(page: str, *args) -> dict:
    context = {}
    for contributor in _contributors[page]:
        context.update(contributor(*args))
    return context
