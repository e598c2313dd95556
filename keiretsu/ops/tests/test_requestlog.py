"""One line per request, with a request id; JSON lines on request; the id on the 500 page."""

import json
import logging

import pytest
from django.test import Client

from keiretsu.conftest import client_for
from keiretsu.ops.requestlog import JsonLinesFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "keiretsu.request"]


def test_each_request_is_one_line_with_its_id_and_no_query_string(client, caplog):
    caplog.set_level(logging.INFO, logger="keiretsu.request")
    response = client.get("/healthz?token=secret-value&q=abc")
    [line] = request_lines(caplog)
    assert line.http == {
        "method": "GET", "path": "/healthz", "status": 200, "duration_ms": line.http["duration_ms"],
        "user_id": None, "organisation_id": None,
    }  # fmt: skip
    assert line.request_id == response["X-Request-ID"] and len(line.request_id) == 32
    assert "secret-value" not in line.getMessage()


def test_a_member_page_logs_the_user_and_the_organisation(alpha, alice, caplog):
    caplog.set_level(logging.INFO, logger="keiretsu.request")
    client_for(alice).get(f"/o/{alpha.pk}/")
    [line] = request_lines(caplog)
    assert (line.http["user_id"], line.http["organisation_id"]) == (alice.pk, alpha.pk)


def test_another_organisations_page_logs_no_organisation(alpha, mallory, caplog):
    caplog.set_level(logging.INFO, logger="keiretsu.request")
    response = client_for(mallory).get(f"/o/{alpha.pk}/")
    assert response.status_code == 404
    [line] = request_lines(caplog)
    assert (line.http["status"], line.http["organisation_id"]) == (404, None)


@pytest.mark.parametrize(
    ("given", "kept"), [("nginx-3f2a9c0d1e", True), ("bad id with spaces", False), ("x" * 65, False)]
)
def test_the_proxys_request_id_is_kept_when_it_looks_like_one(client, given, kept):
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert (response["X-Request-ID"] == given) is kept


def test_json_lines_carry_the_request_fields(client, caplog):
    caplog.set_level(logging.INFO, logger="keiretsu.request")
    client.get("/healthz")
    [record] = request_lines(caplog)
    line = json.loads(JsonLinesFormatter().format(record))
    assert {k: line[k] for k in ("level", "logger", "method", "path", "status", "user_id", "organisation_id")} == {
        "level": "INFO", "logger": "keiretsu.request", "method": "GET", "path": "/healthz", "status": 200,
        "user_id": None, "organisation_id": None,
    }  # fmt: skip
    assert line["request_id"] == record.request_id and "message" not in line


def test_an_error_has_its_request_id_in_the_log_and_on_the_500_page(caplog, settings):
    settings.ROOT_URLCONF = "keiretsu.ops.tests.failing_urls"
    caplog.set_level(logging.INFO)
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    page = response.content.decode()
    assert request_id in page and "受付番号" in page
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and all(r.request_id == request_id for r in errors)
    assert any("something broke" in str(r.exc_info[1]) for r in errors if r.exc_info)
    formatted = json.loads(JsonLinesFormatter().format(errors[0]))
    assert formatted["request_id"] == request_id


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"
    assert json.loads(JsonLinesFormatter().format(record))["message"] == "hello"
