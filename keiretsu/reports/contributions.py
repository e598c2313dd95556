"""The trend over the years on the dashboard (registered with assessments.extensions)."""

from keiretsu.assessments import extensions

from . import trend


@extensions.contributes(extensions.DASHBOARD)
def dashboard(membership, entries):
    """`trends`: each scope and edition with submissions in two fiscal years or more
    (reports/_dashboard_trend.html). A constant number of queries."""
    if not entries:
        return {"trends": []}
    return {"trends": [t for t in trend.trends(membership.organisation) if len(t.points) > 1]}
