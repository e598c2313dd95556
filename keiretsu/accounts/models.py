from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email=normalise_email(email))


def normalise_email(email: str) -> str:
    # Addresses are compared case-insensitively everywhere (sign-in, invitations).
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # Addresses are stored lower-cased; the database refuses a case-only duplicate too.
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.name or self.email

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)


class Organisation(models.Model):
    class SizeBand(models.TextChoices):
        SMALL = "small", _("Small business (up to 20 employees)")
        MEDIUM = "medium", _("Small or medium-sized enterprise")
        LARGE = "large", _("Large enterprise")

    class BusinessType(models.TextChoices):
        VEHICLE_MAKER = "vehicle_maker", _("Vehicle manufacturer (OEM)")
        PARTS = "parts", _("Parts manufacturer")
        MATERIALS = "materials", _("Materials")
        EQUIPMENT = "equipment", _("Production equipment and tooling")
        SOFTWARE = "software", _("Software and IT services")
        LOGISTICS = "logistics", _("Logistics")
        TRADING = "trading", _("Trading company")
        OTHER = "other", _("Other")

    class Tier(models.IntegerChoices):
        OEM = 0, _("OEM")
        TIER1 = 1, _("Tier 1")
        TIER2 = 2, _("Tier 2")
        TIER3 = 3, _("Tier 3")
        TIER4 = 4, _("Tier 4 or lower")

    class Verification(models.TextChoices):
        INVITATION = "invitation", _("Accepted an invitation a customer sent for this corporate number")
        ADMINISTRATOR = "administrator", _("Verified by the instance administrator")
        INDUSTRY_BODY = "industry_body", _("Verified by an industry body")

    name = models.CharField(_("company name"), max_length=200)
    # A corporate number is public: registering one is only a claim, and claims never block
    # one another. At most one organisation is *verified* for a number (the constraint
    # below); only it is linked into customers' lists automatically (docs/supplychain.md).
    corporate_number = models.CharField(_("corporate number"), max_length=13)
    verified_at = models.DateTimeField(_("verified on"), null=True, blank=True)
    verified_via = models.CharField(_("verified by"), max_length=16, choices=Verification.choices, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    size_band = models.CharField(_("size"), max_length=16, choices=SizeBand.choices)
    business_type = models.CharField(_("business type"), max_length=32, choices=BusinessType.choices)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices)
    # An industry body (JAMA, JAPIA, ...) collects submissions and publishes benchmarks.
    is_industry_body = models.BooleanField(_("industry body"), default=False)
    # Every member must have a second factor (TOTP or a security key) before any page or API
    # call of this organisation (accounts.security; set by an owner, audited).
    require_mfa = models.BooleanField(_("require two-factor authentication of every member"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            # One verified organisation per corporate number; unverified claims may be many.
            models.UniqueConstraint(
                fields=["corporate_number"],
                condition=models.Q(verified_at__isnull=False),
                name="organisation_verified_number_unique",
            ),
        ]
        indexes = [
            # The claims of one number (linking, "registered, not verified" on supplier lists).
            models.Index(fields=["corporate_number"], name="organisation_corporate_number"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def company_scope(self):
        return self.scopes.get(kind=Scope.Kind.COMPANY)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ASSESSOR = "assessor", _("Assessor")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A person's role in one organisation. What each role may do is decided here, once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_answer(self):
        return self.role in (Role.OWNER, Role.ASSESSOR)

    @property
    def can_submit(self):
        return self.role == Role.OWNER

    @property
    def can_manage(self):
        """Members, invitations, organisation data, factories and lines, the audit log."""
        return self.role == Role.OWNER


class Scope(models.Model):
    """What an assessment is about: the whole company, one factory, or one production line."""

    class Kind(models.TextChoices):
        COMPANY = "company", pgettext_lazy("scope", "Company")
        FACTORY = "factory", _("Factory")
        LINE = "line", _("Production line")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="scopes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # Each organisation has exactly one company-wide scope, created with it.
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(kind="company"), name="scope_one_company"
            ),
            models.UniqueConstraint(fields=["organisation", "parent", "name"], name="scope_unique_name"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.kind == self.Kind.COMPANY:
            return self.organisation.name
        if self.kind == self.Kind.LINE and self.parent_id:
            return f"{self.parent.name} / {self.name}"
        return self.name


class MemberInvitation(models.Model):
    """An invitation for a colleague, by e-mail. Only a hash of its token is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_open(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AccountEvent(models.TextChoices):
    USER_SIGNED_UP = "user.signed_up", _("Signed up")
    ORGANISATION_CREATED = "organisation.created", _("Organisation created")
    ORGANISATION_UPDATED = "organisation.updated", _("Organisation updated")
    SCOPE_CREATED = "scope.created", _("Factory or line added")
    SCOPE_UPDATED = "scope.updated", _("Factory or line renamed")
    MEMBER_INVITED = "member.invited", _("Member invited")
    INVITATION_REVOKED = "member.invitation_revoked", _("Invitation withdrawn")
    MEMBER_JOINED = "member.joined", _("Member joined")
    MEMBER_ROLE_CHANGED = "member.role_changed", _("Member role changed")
    MEMBER_REMOVED = "member.removed", _("Member removed")
    SECURITY_CHANGED = "organisation.security_changed", _("Security settings changed")
    # Sign-in and account security (docs/security.md): written into the log of every
    # organisation the person belongs to, so that its owners can review them.
    SIGNED_IN = "account.signed_in", _("Signed in")
    SIGN_IN_FAILED = "account.sign_in_failed", _("Failed sign-in")
    SIGNED_OUT = "account.signed_out", _("Signed out")
    SIGNED_OUT_EVERYWHERE = "account.signed_out_everywhere", _("Signed out everywhere")
    PASSWORD_CHANGED = "account.password_changed", _("Password changed")
    PASSWORD_RESET = "account.password_reset", _("Password reset")
    EMAIL_CHANGED = "account.email_changed", _("E-mail address changed")
    MFA_ADDED = "account.mfa_added", _("Two-factor authentication added")
    MFA_REMOVED = "account.mfa_removed", _("Two-factor authentication removed")
    RECOVERY_CODE_USED = "account.recovery_code_used", _("Recovery code used")
    API_TOKEN_CREATED = "account.api_token_created", _("API token created")
    API_TOKEN_REVOKED = "account.api_token_revoked", _("API token revoked")


# The events an owner reviews for suspicious sign-ins and account changes (the audit log's
# "sign-ins and security" filter; METI SCS 4-4-3-3).
SECURITY_EVENTS = [
    AccountEvent.SIGNED_IN,
    AccountEvent.SIGN_IN_FAILED,
    AccountEvent.SIGNED_OUT,
    AccountEvent.SIGNED_OUT_EVERYWHERE,
    AccountEvent.PASSWORD_CHANGED,
    AccountEvent.PASSWORD_RESET,
    AccountEvent.EMAIL_CHANGED,
    AccountEvent.MFA_ADDED,
    AccountEvent.MFA_REMOVED,
    AccountEvent.RECOVERY_CODE_USED,
    AccountEvent.API_TOKEN_CREATED,
    AccountEvent.API_TOKEN_REVOKED,
    AccountEvent.SECURITY_CHANGED,
]


class PasswordHistory(models.Model):
    """Hashes of a person's recent passwords (passwords.RecentPasswordValidator)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]


class AuditEvent(models.Model):
    """One change, written in the same transaction as the change itself (see audit.record).

    `event` is a code such as "assessment.submitted"; each app declares its codes as
    TextChoices and registers them with audit.register_events, so the table never needs a
    migration when an app adds an event.
    """

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The owner's audit log page: newest events of one organisation.
            models.Index(fields=["organisation", "-created_at"], name="audit_org_recent"),
            # History of one object (an assessment's answers).
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.event} {self.target_type}:{self.target_id}"

    @property
    def event_label(self):
        from . import audit

        return audit.event_label(self.event)

