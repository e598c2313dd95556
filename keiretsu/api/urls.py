"""/api/v1/: each app keeps its endpoints in its own api.py; this is the URL map."""

from django.urls import path

from keiretsu.accounts import api as accounts
from keiretsu.assessments import api as assessments
from keiretsu.benchmark import api as benchmark
from keiretsu.catalogue import api as catalogue
from keiretsu.improvement import api as improvement
from keiretsu.supplychain import api as supplychain

app_name = "api"

urlpatterns = [
    path("catalogue/editions/", catalogue.editions, name="editions"),
    path("o/<int:org_id>/audit/", accounts.audit_events, name="audit_events"),
    path("o/<int:org_id>/assessments/", assessments.assessments, name="assessments"),
    path("o/<int:org_id>/assessments/<int:assessment_id>/", assessments.assessment, name="assessment"),
    path(
        "o/<int:org_id>/assessments/<int:assessment_id>/answers/<str:item_number>/",
        assessments.answer,
        name="answer",
    ),
    path("o/<int:org_id>/suppliers/", supplychain.suppliers, name="suppliers"),
    path("o/<int:org_id>/supply-tree/", supplychain.supply_tree, name="supply_tree"),
    path("o/<int:org_id>/weakest-links/", supplychain.weakest_links, name="weakest_links"),
    path("o/<int:org_id>/inbox/", supplychain.inbox, name="inbox"),
    path("o/<int:org_id>/results/<int:share_id>/", supplychain.result, name="result"),
    path("o/<int:org_id>/targets/", improvement.targets, name="targets"),
    path("o/<int:org_id>/actions/", improvement.actions, name="actions"),
    path("o/<int:org_id>/actions/<int:action_id>/", improvement.action, name="action"),
    path("benchmark/releases/", benchmark.releases, name="benchmark_releases"),
    path("benchmark/releases/<int:release_id>/", benchmark.release, name="benchmark_release"),
    path("o/<int:org_id>/benchmark/submissions/", benchmark.submissions, name="benchmark_submissions"),
    path(
        "o/<int:org_id>/benchmark/comparison/<int:assessment_id>/",
        benchmark.comparison,
        name="benchmark_comparison",
    ),
]
