"""Requests for self-assessments down the supplier tiers, and what suppliers choose to share.

A customer keeps a list of its suppliers (`Supplier`). A supplier is an organisation of its
own on this instance (`Supplier.organisation`, matched by corporate number), or is invited by
e-mail until it registers. Requests (`AssessmentRequest`, one per supplier, edition and fiscal
year) are answered by the supplier's own assessment, which it shares (`Share`) with whom it
chooses, at the detail it chooses. A supplier passes a request on to its own suppliers: the
child requests point at their parent, and `RequestPath` (a closure table) keeps every
ancestor-descendant pair so that a whole supply tree is read in one query.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keiretsu.accounts import audit, audit_display
from keiretsu.accounts.models import Organisation, Scope
from keiretsu.assessments.models import Assessment
from keiretsu.catalogue.models import Edition


class SupplyChainEvent(models.TextChoices):
    SUPPLIER_ADDED = "supplier.added", _("Supplier added")
    SUPPLIERS_IMPORTED = "supplier.imported", _("Suppliers imported from a CSV file")
    SUPPLIER_UPDATED = "supplier.updated", _("Supplier details changed")
    SUPPLIER_REMOVED = "supplier.removed", _("Supplier removed")
    SUPPLIER_INVITED = "supplier.invited", _("Supplier invited")
    SUPPLIER_LINKED = "supplier.linked", _("Supplier joined Keiretsu and was linked")
    REQUEST_SENT = "request.sent", _("Self-assessment requested")
    REQUEST_PASSED_ON = "request.passed_on", _("Request passed on to suppliers")
    REQUEST_WITHDRAWN = "request.withdrawn", _("Request withdrawn")
    REQUEST_ACCEPTED = "request.accepted", _("Request accepted")
    REQUEST_DECLINED = "request.declined", _("Request declined")
    REMINDER_SENT = "request.reminded", _("Reminder sent")
    RESULT_SHARED = "share.created", _("Result shared")
    SHARE_WITHDRAWN = "share.withdrawn", _("Sharing withdrawn")
    ORGANISATION_VERIFIED = "organisation.verified", _("Organisation verified for its corporate number")
    SUPPLIER_LINKED_UNVERIFIED = "supplier.linked_unverified", _("Unverified registration linked by hand")
    CLAIM_DETACHED = "supplier.claim_detached", _("Unverified registration detached")


audit.register_events(SupplyChainEvent)


class Criticality(models.IntegerChoices):
    # Stored as a rank so that "most critical first" is a plain ORDER BY.
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class Supplier(models.Model):
    """One entry of a customer's supplier list."""

    customer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="suppliers")
    # The supplier's own organisation on this instance, once it is known (matched by
    # corporate number when added, or linked when the invited company registers).
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer_links"
    )
    name = models.CharField(_("company name"), max_length=200)
    corporate_number = models.CharField(_("corporate number"), max_length=13)
    contact_email = models.EmailField(_("contact e-mail"))
    criticality = models.PositiveSmallIntegerField(
        _("criticality"), choices=Criticality.choices, default=Criticality.MEDIUM
    )
    note = models.TextField(_("note"), blank=True)
    # The contact's language: invitations and reminders are written in it.
    language = models.CharField(_("contact's language"), max_length=8, choices=settings.LANGUAGES, default="ja")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["criticality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "corporate_number"], name="supplier_unique_per_customer"),
            models.CheckConstraint(condition=~Q(organisation=F("customer")), name="supplier_not_self"),
        ]
        indexes = [
            # Linking: every list entry naming a newly registered corporate number.
            models.Index(fields=["corporate_number"], name="supplier_corporate_number"),
        ]

    def __str__(self):
        return self.name

    def number_is_locked(self) -> bool:
        """The corporate number is the supplier's identity: it can be corrected only while the
        supplier is neither linked nor asked for anything (one query)."""
        return self.organisation_id is not None or self.requests.exists()


class SupplierInvitation(models.Model):
    """An e-mail invitation for a supplier that is not on the instance yet.

    Single use, expiring, and bound to one e-mail address and one corporate number. Only a
    hash of the link's token is stored; the token is made when the e-mail is sent.
    """

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    corporate_number = models.CharField(max_length=13)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.supplier} <{self.email}>"

    @property
    def is_open(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AssessmentRequest(models.Model):
    """A customer asks one supplier for its self-assessment of one edition for one fiscal year."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting reply")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn by the customer")

    OPEN = (Status.PENDING, Status.ACCEPTED)
    # Can be passed on down the tiers: current, accepted, and asking for it (in SQL and below).
    PASSABLE = models.Q(is_current=True, status=Status.ACCEPTED, pass_on=True)

    requester = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="requests_sent")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="requests")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    due_date = models.DateField(_("due date"))
    message = models.TextField(_("message"), blank=True)
    # Whether the supplier is asked to pass the request on to its own suppliers.
    pass_on = models.BooleanField(_("ask to pass it on"), default=True)
    # The request this one was passed on from (the customer's customer asked first).
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # False once withdrawn, or once a declined request is replaced by a new one: at most one
    # current request per supplier, edition and year.
    is_current = models.BooleanField(default=True)
    decline_reason = models.TextField(_("reason"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The language of whoever answered (supplier side) and of whoever asked (customer side):
    # e-mails about this request are written in the recipient's language.
    responder_language = models.CharField(max_length=8, blank=True)
    requester_language = models.CharField(max_length=8, default="ja")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "edition", "fiscal_year"],
                condition=Q(is_current=True),
                name="request_one_current",
            ),
        ]
        indexes = [
            # The roots of a customer's supply tree, and its list of direct suppliers.
            models.Index(fields=["requester", "fiscal_year", "edition"], name="request_requester_year"),
            # Reminders: open requests by due date.
            models.Index(fields=["due_date"], condition=Q(is_current=True), name="request_current_due"),
        ]

    def __str__(self):
        return f"{self.requester} → {self.supplier} · {self.edition_id} · FY{self.fiscal_year}"

    @property
    def is_open(self):
        return self.is_current and self.status in self.OPEN

    @property
    def can_pass_on(self) -> bool:
        """The same rule as PASSABLE: current, accepted, and asking to be passed on."""
        return self.is_current and self.status == self.Status.ACCEPTED and self.pass_on


class RequestPath(models.Model):
    """Closure table of the request tree: one row per (ancestor, descendant), itself included.

    A customer's whole supply tree is every descendant of its own requests, at `depth` below
    them; rows are written when a request is created or passed on, never per page view.
    """

    ancestor = models.ForeignKey(AssessmentRequest, on_delete=models.CASCADE, related_name="descendant_paths")
    descendant = models.ForeignKey(AssessmentRequest, on_delete=models.CASCADE, related_name="ancestor_paths")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ancestor", "descendant"], name="requestpath_unique")]
        indexes = [
            # Everything above a request (who may be shared with; cycle checks).
            models.Index(fields=["descendant", "depth"], name="requestpath_descendant"),
        ]


class Share(models.Model):
    """A supplier's consent to show one submitted (frozen) assessment to one customer.

    A share never changes: sharing a newer revision, or another detail, ends the current share
    and starts a new one. The numbers below are copied from the frozen score snapshot, so the
    supply tree and the weakest links aggregate them in SQL.
    """

    class Detail(models.TextChoices):
        SUMMARY = "summary", _("Summary: rates per level and per section, level attained")
        FULL = "full", _("Full: every answer and comment")

    class Ended(models.TextChoices):
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Replaced by a newer share")
        # The sharer was an unverified registration of the number, detached from the entry.
        DETACHED = "detached", _("Ended: the sharer was not the verified company")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shares_given")
    recipient = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shares_received")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="+")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveIntegerField()
    # The request (addressed to the sharing supplier) through which the recipient asked.
    request = models.ForeignKey(AssessmentRequest, null=True, on_delete=models.SET_NULL, related_name="shares")
    detail = models.CharField(max_length=16, choices=Detail.choices)
    shared_at = models.DateTimeField(default=timezone.now)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended = models.CharField(max_length=16, choices=Ended.choices, blank=True)

    # From the frozen snapshot (assessment.score_snapshot):
    overall_rate = models.DecimalField(max_digits=4, decimal_places=1, null=True)  # scoring.percent; None = undefined
    # The counts behind it: averages over several suppliers are exact means of these (docs/rules.md).
    overall_achieved = models.PositiveIntegerField(default=0)
    overall_applicable = models.PositiveIntegerField(default=0)
    level_attained = models.CharField(max_length=32, blank=True)
    has_levels = models.BooleanField(default=False)
    first_level_missing = models.PositiveIntegerField(default=0)  # applicable items of the first level not achieved
    priority_missing = models.PositiveIntegerField(default=0)  # applicable priority items not achieved
    # A weak link: the first level (Lv1, ★3) not attained, or a priority item not achieved.
    weak = models.BooleanField(default=False)
    # How many items at least must still be achieved to stop being a weak link.
    gap = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-shared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "recipient", "scope", "edition", "fiscal_year"],
                condition=Q(ended_at=None),
                name="share_one_active",
            ),
        ]
        indexes = [
            # What a customer may see: its active shares of one year (the tree, the weakest links).
            models.Index(
                fields=["recipient", "fiscal_year", "edition"],
                condition=Q(ended_at=None),
                name="share_recipient_active",
            ),
            # Status of a tree node: has this supplier shared with its customer?
            models.Index(
                fields=["organisation", "fiscal_year", "edition"], condition=Q(ended_at=None), name="share_org_active"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.recipient} · {self.assessment}"

    @property
    def is_active(self):
        return self.ended_at is None


class Reminder(models.Model):
    """An e-mail reminding a supplier of a request. Automatic kinds are sent at most once."""

    MANUAL = "manual"
    OVERDUE = "overdue"

    request = models.ForeignKey(AssessmentRequest, on_delete=models.CASCADE, related_name="reminders")
    # "due-14", "due-3" (days before the due date), "overdue", or "manual" (a nudge by hand).
    kind = models.CharField(max_length=16)
    recipients = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Claimed before sending: a second worker, or a second run, cannot send it again.
            models.UniqueConstraint(fields=["request", "kind"], condition=~Q(kind="manual"), name="reminder_once"),
        ]

    def __str__(self):
        return f"{self.request_id} {self.kind}"

    @staticmethod
    def before_due(days: int) -> str:
        return f"due-{days}"

    @property
    def days_before(self) -> int | None:
        return int(self.kind.removeprefix("due-")) if self.kind.startswith("due-") else None


class SupplierImport(models.Model):
    """A supplier CSV file checked and waiting for its uploader to confirm the preview: nothing
    of it is written to the list, and no invitation is sent, before confirmation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=255, blank=True)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)


class OutsideMailCount(models.Model):
    """How many e-mails to other companies were sent for one organisation on one day (in the
    instance's time zone): at most OUTSIDE_MAIL_DAILY_LIMIT (supplychain/outgoing.py)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="outside_mail_one_per_day")]


class SupplierStatus(models.IntegerChoices):
    """Where a supplier stands on one request, as its customer sees it.

    The numbers rank the statuses from furthest along to least, so that a supplier reached by
    two paths of the tree counts once, with its best status.
    """

    SHARED = 1, _("Shared")
    SUBMITTED = 2, _("Submitted")
    IN_PROGRESS = 3, _("In progress")
    NOT_STARTED = 4, _("Not started")
    OVERDUE = 5, _("Overdue")
    # Before the supplier accepts, its customer learns nothing else (docs/rules.md, "Visibility").
    NOT_ANSWERED = 6, _("Not yet answered")
    INVITED = 7, _("Invited")
    DECLINED = 8, _("Declined")
    NOT_REQUESTED = 9, _("Not requested")

    @property
    def css(self):
        return self.name.lower().replace("_", "-")


# How these events read in the audit log (keiretsu/accounts/audit_display.py).
audit_display.describe(
    SupplyChainEvent,
    sentences={
        SupplyChainEvent.SUPPLIER_ADDED: _("%(actor)s added the supplier %(target)s."),
        SupplyChainEvent.SUPPLIERS_IMPORTED: _("%(actor)s imported the supplier %(target)s from a CSV file."),
        SupplyChainEvent.SUPPLIER_UPDATED: _("%(actor)s changed the details of the supplier %(target)s."),
        SupplyChainEvent.SUPPLIER_REMOVED: _("%(actor)s removed the supplier %(target)s."),
        SupplyChainEvent.SUPPLIER_INVITED: _("%(actor)s invited the supplier %(target)s to Keiretsu."),
        SupplyChainEvent.SUPPLIER_LINKED: _("The supplier %(target)s joined Keiretsu and was linked."),
        SupplyChainEvent.REQUEST_SENT: _("%(actor)s asked %(target)s for a self-assessment."),
        SupplyChainEvent.REQUEST_PASSED_ON: _("%(actor)s passed the request %(target)s on to suppliers."),
        SupplyChainEvent.REQUEST_WITHDRAWN: _("%(actor)s withdrew the request %(target)s."),
        SupplyChainEvent.REQUEST_ACCEPTED: _("%(actor)s accepted the request %(target)s."),
        SupplyChainEvent.REQUEST_DECLINED: _("%(actor)s declined the request %(target)s."),
        SupplyChainEvent.REMINDER_SENT: _("%(actor)s sent a reminder (%(target)s)."),
        SupplyChainEvent.RESULT_SHARED: _("%(actor)s shared a result (%(target)s)."),
        SupplyChainEvent.SHARE_WITHDRAWN: _("%(actor)s withdrew a shared result (%(target)s)."),
        SupplyChainEvent.ORGANISATION_VERIFIED: _("%(actor)s verified %(target)s for its corporate number."),
        SupplyChainEvent.SUPPLIER_LINKED_UNVERIFIED: _(
            "%(actor)s linked the supplier %(target)s to an unverified registration of its corporate number."
        ),
        SupplyChainEvent.CLAIM_DETACHED: _(
            "An unverified registration was detached from the supplier %(target)s."
        ),
    },
    labels={
        "contact_email": _("Contact e-mail"),
        "criticality": _("Criticality"),
        "language": _("Language"),
        "on_keiretsu": _("Already on Keiretsu"),
        "supplier": _("Supplier"),
        "pass_on": _("To be passed on"),
        "created": _("Requests sent"),
        "requests": _("Requests (id)"),
        "assessment_started": _("Assessment started (id)"),
        "recipient": _("Shared with"),
        "detail": _("Detail"),
        "shared_at": _("Shared on"),
        "withdrawn_at": _("Withdrawn on"),
        "verified": _("Verified"),
        "via": _("Verified by"),
        "by": _("Industry body"),
        "warning": _("Warning shown"),
        "detached_because": _("Why"),
        "requests_reset": _("Replies cancelled (request id)"),
        "shares_ended": _("Shares ended (id)"),
        "verified_organisation": _("Verified organisation"),
    },
    values={
        "status": AssessmentRequest.Status,
        "criticality": {c.name.lower(): c.label for c in Criticality},
        "language": {"ja": _("Japanese"), "en": _("English")},
        "detail": Share.Detail,
        "via": Organisation.Verification,
        "detached_because": {
            "verified": _("another organisation was verified for the corporate number"),
            "unlinked": _("the customer undid its link"),
        },
        "kind": {Reminder.MANUAL: _("sent by hand"), Reminder.OVERDUE: _("overdue"),
                 "due-14": _("14 days before the due date"), "due-3": _("3 days before the due date")},
    },
)
