"""Shared test fixtures: the shipped catalogues, and personas in two organisations.

alice   owner of Alpha Parts        (members, answers, submits)
bob     assessor of Alpha Parts     (answers)
vera    viewer of Alpha Parts       (reads)
mallory owner of Beta Motors        (another organisation: must never see Alpha's data)
"""

import os
import shutil

import pytest
from django.test import Client

from keiretsu.accounts import services as account_services
from keiretsu.accounts.models import Membership, Organisation, Role, Scope, User
from keiretsu.catalogue.models import Edition
from keiretsu.catalogue.services import catalogue_load_files
from keiretsu.lib.corporate_number import with_check_digit

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

PASSWORD = "correct horse battery staple"  # noqa: S105


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sessions_outlast_time_travel(settings):
    """Tests that travel days ahead (reminders, due dates) keep their signed-in browser; the
    session lifetime tests (accounts/tests/test_mfa.py) set the production values."""
    settings.SESSION_IDLE_MINUTES = 365 * 24 * 60
    settings.SESSION_MAX_HOURS = 365 * 24
    settings.SESSION_COOKIE_AGE = 365 * 24 * 3600


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run inside the test; tests of the database worker itself set its backend."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _evidence_in_a_temporary_folder(settings, tmp_path_factory):
    """Evidence files (STORAGES["evidence"]) go to a folder of the test's own."""
    folder = tmp_path_factory.mktemp("evidence")
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The shipped catalogues are loaded once per test session, into the test database that
    every test starts from (each test's changes are rolled back; editions are immutable)."""
    with django_db_blocker.unblock():
        catalogue_load_files()


@pytest.fixture
def catalogue(db):
    """The shipped editions, by guideline id: catalogue["jama-factory"] is the factory edition."""
    if not Edition.objects.exists():
        # A transactional test (django_db(transaction=True)) empties the database after itself.
        catalogue_load_files()
    return {edition.guideline.slug: edition for edition in Edition.objects.select_related("guideline")}


@pytest.fixture
def no_catalogue(db):
    """An instance where no catalogue is loaded yet (the session's catalogues are removed inside
    the test's transaction, which is rolled back afterwards)."""
    from keiretsu.catalogue.models import Guideline

    Edition.objects.all().delete()
    Guideline.objects.all().delete()


def make_user(email, name="", *, verified=True):
    """A person who signed up and verified their address (verified=False: not yet)."""
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email, PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def give_totp(user):
    """An authenticator app (TOTP) for the person; returns its secret (codes: totp_code)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret, at=None):
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int((at or time.time()) // 30)
    return format_hotp_value(hotp_value(secret, counter))


def make_organisation(owner, name, base12, *, verified=True, **fields):
    """An organisation with its owner. Verified for its corporate number unless `verified` is
    False (an unverified claim: never linked into customers' lists by itself)."""
    defaults = {
        "size_band": Organisation.SizeBand.MEDIUM,
        "business_type": Organisation.BusinessType.PARTS,
        "tier": Organisation.Tier.TIER1,
    }
    organisation = account_services.organisation_create(
        actor=owner, name=name, corporate_number=with_check_digit(base12), **{**defaults, **fields}
    )
    if verified:
        verify(organisation)
    return organisation


def instance_admin():
    return User.objects.filter(email="admin@keiretsu.example").first() or User.objects.create_superuser(
        "admin@keiretsu.example", PASSWORD, name="Instance administrator"
    )


def verify(organisation, note="Checked by telephone"):
    """The instance administrator verifies the organisation for its corporate number."""
    from keiretsu.supplychain.services import organisation_verify

    organisation_verify(
        actor=instance_admin(), organisation=organisation, via=Organisation.Verification.ADMINISTRATOR, note=note
    )
    organisation.refresh_from_db()
    return organisation


def add_member(organisation, user, role):
    return Membership.objects.create(organisation=organisation, user=user, role=role)


@pytest.fixture
def alice(db):
    return make_user("alice@alpha.example", "Alice")


@pytest.fixture
def bob(db):
    return make_user("bob@alpha.example", "Bob")


@pytest.fixture
def vera(db):
    return make_user("vera@alpha.example", "Vera")


@pytest.fixture
def mallory(db):
    return make_user("mallory@beta.example", "Mallory")


@pytest.fixture
def alpha(alice, bob, vera):
    organisation = make_organisation(alice, "Alpha Parts", "100000000001")
    add_member(organisation, bob, Role.ASSESSOR)
    add_member(organisation, vera, Role.VIEWER)
    return organisation


@pytest.fixture
def beta(mallory):
    return make_organisation(mallory, "Beta Motors", "200000000002", tier=Organisation.Tier.OEM)


@pytest.fixture
def alpha_factory(alpha, alice):
    membership = Membership.objects.get(organisation=alpha, user=alice)
    return account_services.scope_create(membership=membership, actor=alice, kind=Scope.Kind.FACTORY, name="Hamamatsu")


def membership_of(user, organisation):
    return Membership.objects.select_related("organisation").get(user=user, organisation=organisation)


def client_for(user, *, reauthenticated=True):
    """A browser signed in as the person (who just typed their password: no re-authentication
    asked for the next minutes, unless reauthenticated=False)."""
    import time

    client = Client()
    client.force_login(user)
    if reauthenticated:
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client


# --- End-to-end tests in a real Chromium ---------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("KEIRETSU_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required (KEIRETSU_REQUIRE_BROWSER is set) but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed: end-to-end tests need /usr/bin/chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, settings):
    # live_server serves static files through the finders: no hashed names in tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Pages cache catalogue text by primary key; test databases reuse primary keys.
    from django.core.cache import caches

    from keiretsu.catalogue.selectors import forget_structures

    for cache in caches.all(initialized_only=True):
        cache.clear()
    forget_structures()
