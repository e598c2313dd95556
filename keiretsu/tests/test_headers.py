"""Production headers: every page and download a signed-in person sees is private and never
stored by a cache; every response carries the Permissions-Policy; `check --deploy` is clean with
production settings (HSTS on by default with HTTPS, SSL redirect, a trusted proxy's header only
when configured)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from keiretsu.assessments import services as assessment_services
from keiretsu.conftest import client_for, membership_of

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def every_route(resolver=None, prefix=""):
    """(route pattern, name) for every URL of the project, Django's admin left to Django."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from every_route(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name


@pytest.fixture
def world(catalogue, alpha, alice, alpha_factory):
    membership = membership_of(alice, alpha)
    assessment = assessment_services.assessment_create(
        membership=membership, actor=alice, scope=alpha_factory, edition=catalogue["jama-factory"], fiscal_year=2025
    )
    item = assessment.edition.items.order_by("position").first()
    return {"org_id": alpha.pk, "assessment_id": assessment.pk, "item_id": item.pk, "item_number": item.number}


def concrete(route: str, values: dict) -> str:
    def fill(match):
        converter, name = match.group(1) or "str", match.group(2)
        return str(values.get(name, 1 if converter == "int" else "x"))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route).replace("^", "").replace("$", "")


def test_every_url_answers_a_signed_in_person_with_private_no_store_and_a_permissions_policy(world, alice):
    client = client_for(alice)
    seen = 0
    for route, name in every_route():
        url = concrete(route, world)
        response = client.get(url)
        seen += 1
        assert "Permissions-Policy" in response.headers, url
        if response.status_code in (301, 302) and "/accounts/login" in response.get("Location", ""):
            continue
        cache = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= cache, f"{url} ({name}): Cache-Control {response.get('Cache-Control')!r}"
    assert seen > 60


def test_downloads_are_private_and_never_stored(world, alice):
    client = client_for(alice)
    org, assessment = world["org_id"], world["assessment_id"]
    for url in (
        f"/o/{org}/scores.csv",
        f"/o/{org}/suppliers/export.csv",
        f"/o/{org}/assessments/{assessment}/answers.csv",
        f"/o/{org}/assessments/{assessment}/checksheet.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= {p.strip() for p in response["Cache-Control"].split(",")}, url


def test_anonymous_pages_carry_the_permissions_policy(client):
    response = client.get("/accounts/login/")
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def production_env(**extra):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "k3y-" + "x7Qz9!pL2#mN8$vB4%cR6^tY1&wE5*uI0(oP3)aS" * 2,
            "ALLOWED_HOSTS": "keiretsu.example",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "keiretsu.settings",
            **extra,
        }
    )
    return env


def run_python(code: str, **extra) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=ROOT,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        check=False,
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_and_the_ssl_redirect_follow_https_and_the_proxy_header_needs_a_trusted_proxy():
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER)"
    )
    assert run_python(show).split() == ["31536000", "True", "True", "None"]
    assert run_python(show, TRUSTED_PROXY="true").split()[-2:] == ["('HTTP_X_FORWARDED_PROTO',", "'https')"]
    assert run_python(show, HSTS_SECONDS="600").split()[0] == "600"
    assert run_python(show, HTTPS="false").split() == ["0", "True", "False", "None"]
