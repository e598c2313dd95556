"""Where a supplier stands on a request (SupplierStatus), computed by the database: one rule
for every view (the supplier list, the inbox, the tree, the reminders)."""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When

from keiretsu.assessments.models import Answer, Assessment

from ..models import AssessmentRequest, Share, SupplierStatus

# --- The status of a request, as an SQL expression --------------------------------------------


def status_expression(
    *, org, requester, request_status, due_date, linked, edition, fiscal_year, today, no_request=None
):
    """The SupplierStatus of a request, computed by the database.

    Before the supplier accepts the request, its customer learns only invited (not linked) /
    not yet answered / declined: never the supplier's assessment, activity or shares
    (docs/rules.md, "Visibility"). After acceptance: shared / submitted / overdue / in
    progress / not started, as the acceptance page tells the supplier.

    org / requester: expressions for the supplier's organisation and the customer (OuterRef
    or a constant); request_status / due_date / linked: field paths of the request's status,
    due date and the supplier's organisation. One rule for every view (list, inbox, tree).
    """
    assessments = Assessment.objects.filter(organisation=org, edition=edition, fiscal_year=fiscal_year)
    answers = Answer.objects.filter(
        assessment__organisation=org, assessment__edition=edition, assessment__fiscal_year=fiscal_year
    ).exclude(rating="")
    shared = Share.objects.filter(
        organisation=org, recipient=requester, edition=edition, fiscal_year=fiscal_year, ended_at=None
    )
    whens = []
    if no_request is not None:
        whens += [
            When(no_request & Q(**{f"{linked}__isnull": True}), then=Value(SupplierStatus.INVITED)),
            When(no_request, then=Value(SupplierStatus.NOT_REQUESTED)),
        ]
    whens += [
        When(Q(**{request_status: AssessmentRequest.Status.DECLINED}), then=Value(SupplierStatus.DECLINED)),
        When(Q(**{f"{linked}__isnull": True}), then=Value(SupplierStatus.INVITED)),
        # Nothing before consent: until the supplier accepts, nothing of its own is read.
        When(~Q(**{request_status: AssessmentRequest.Status.ACCEPTED}), then=Value(SupplierStatus.NOT_ANSWERED)),
        When(Exists(shared), then=Value(SupplierStatus.SHARED)),
        When(Exists(assessments.filter(status=Assessment.Status.SUBMITTED)), then=Value(SupplierStatus.SUBMITTED)),
        When(Q(**{f"{due_date}__lt": today}), then=Value(SupplierStatus.OVERDUE)),
        When(Exists(answers), then=Value(SupplierStatus.IN_PROGRESS)),
    ]
    return Case(*whens, default=Value(SupplierStatus.NOT_STARTED), output_field=IntegerField())


def supplier_status(prefix, *, today, edition=None, fiscal_year=None):
    """status_expression for a queryset whose rows reach an AssessmentRequest through `prefix`."""
    return status_expression(
        org=OuterRef(f"{prefix}supplier__organisation"),
        requester=OuterRef(f"{prefix}requester"),
        request_status=f"{prefix}status",
        due_date=f"{prefix}due_date",
        linked=f"{prefix}supplier__organisation",
        edition=edition if edition is not None else OuterRef(f"{prefix}edition"),
        fiscal_year=fiscal_year if fiscal_year is not None else OuterRef(f"{prefix}fiscal_year"),
        today=today,
    )


def status_counts(rows) -> dict[int, int]:
    """How many of the (unfiltered) rows are in each status: one grouped query."""
    counts = dict(rows.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in SupplierStatus.values}


def supplier_status_of(request: AssessmentRequest, *, today) -> int:
    """The SupplierStatus of one request (one query)."""
    return (
        AssessmentRequest.objects.filter(pk=request.pk)
        .annotate(status_now=supplier_status("", today=today))
        .values_list("status_now", flat=True)
        .get()
    )
