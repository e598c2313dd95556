"""Rate limits hold across every worker and server: the counts live in the shared cache (the
database cache by default in production, Redis when CACHE_LOCATION names it), never in one
process's memory. Each test runs on both; Redis when it answers on TEST_REDIS_URL (required
in CI: KEIRETSU_REQUIRE_REDIS)."""

import secrets

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client

from keiretsu.conftest import PASSWORD, make_user
from keiretsu.lib import limits
from keiretsu.ops.tests.processes import REDIS_URL, require_redis

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(params=["database", "redis"])
def shared_cache(request, settings):
    prefix = f"test-{secrets.token_hex(6)}"
    if request.param == "redis":
        require_redis()
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix},
        }
    else:
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "keiretsu_cache"},
        }
        call_command("createcachetable", verbosity=0)
    yield request.param, prefix
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def another_server():
    """What a second process sees: a fresh connection to the shared cache, nothing in memory."""
    caches._connections.default = caches.create_connection("default")  # noqa: SLF001


def stored_keys(kind, prefix):
    if kind == "redis":
        import redis

        return sum(1 for _ in redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix}:*allauth*"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM keiretsu_cache")
        return cursor.fetchone()[0]


def test_failed_sign_ins_counted_on_one_server_pause_the_next_on_another(shared_cache, settings):
    kind, prefix = shared_cache
    alice = make_user("alice@alpha.example")
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        Client().post(LOGIN, {"login": alice.email, "password": "guess"}, REMOTE_ADDR="203.0.113.7")
    assert stored_keys(kind, prefix) > 0
    another_server()
    refused = Client().post(LOGIN, {"login": alice.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 200  # paused for that client, on the other server too
    another_server()
    own = Client()
    assert own.post(LOGIN, {"login": alice.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.20").status_code == 302


def test_the_shared_limit_helper_counts_across_servers(shared_cache, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "invitation": "3/h/user"}
    alice = make_user("alice@alpha.example")
    for _ in range(3):
        another_server()
        limits.consume(action="invitation", user=alice)
    another_server()
    with pytest.raises(limits.LimitReached) as refused:
        limits.consume(action="invitation", user=alice)
    assert refused.value.status == 429
    limits.consume(action="invitation", user=make_user("bob@alpha.example"))  # per person
