"""Real processes, real signals: backup and restore round trip, SIGKILL in the middle of
changes, two application servers sharing one database and one cache, /readyz with the
database gone, and a browser through the production stack. Each runs once per database
(scripts/test on SQLite, then on PostgreSQL with DATABASE_URL)."""

import json
import os
import re
import secrets
import signal
import subprocess
import time

import pytest

from . import processes
from .processes import ON_POSTGRES, ROOT, ScratchDatabase, Site, kill, wait_for_line, wait_until_up

pytestmark = pytest.mark.process
CRASH = "keiretsu.ops.tests.crash"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("ops")


@pytest.fixture(scope="module")
def site(folder):
    """A seeded installation: the three demos, the crash scenarios, an uploaded file."""
    database = ScratchDatabase("proc", folder).create()
    site = Site(folder / "site", database)
    site.python("keiretsu.ops.tests.seed", timeout=900)
    site.state = folder / "state.json"
    site.python(CRASH, "prepare", str(site.state))
    yield site
    database.drop()


def check(site):
    return site.python(CRASH, "check", str(site.state))


# --- Backup and restore -----------------------------------------------------------------


def test_backup_restore_round_trip_keeps_every_listing_of_every_organisation(site, folder):
    key = site.command("backup", "--new-key").stdout.strip()
    before = folder / "before.json"
    site.python(CRASH, "snapshot", str(before))
    archive = folder / "all.backup"
    done = site.command("backup", "-o", str(archive), BACKUP_ENCRYPTION_KEY=key)
    # The uploaded files (the demo company's evidence, the crash scenarios' upload): all of them
    # are in the archive and all come back.
    files = int(re.search(r"(\d+) files", done.stdout)[1])
    assert "encrypted" in done.stdout and files >= 2
    assert archive.read_bytes().startswith(b"KEIRETSU-BACKUP-FERNET-1\n")

    verified = site.command("backup", "--verify", str(archive), BACKUP_ENCRYPTION_KEY=key)
    assert "every checksum matches" in verified.stdout

    empty = ScratchDatabase("restored", folder).create()
    try:
        restored = Site(folder / "restored", empty)
        restored.command("migrate", "--no-input")  # as an operator would: serve migrates first
        done = restored.command("restore", str(archive), BACKUP_ENCRYPTION_KEY=key)
        assert f"{files} files" in done.stdout
        after = folder / "after.json"
        restored.python(CRASH, "snapshot", str(after))
        listings = json.loads(before.read_text())
        assert json.loads(after.read_text()) == listings
        assert len(listings) > 100 and all(v["http"] == 200 for v in listings.values() if v)
        assert (restored.media / "evidence/crash/proof.txt").read_text() == "証跡 evidence\n"

        # A second restore into what is now a full database is refused; nothing changes.
        refused = restored.command("restore", str(archive), check=False, BACKUP_ENCRYPTION_KEY=key)
        assert refused.returncode == 1 and "not empty" in refused.stderr
        # With --force, what is there is backed up first.
        forced = restored.command("restore", "--force", str(archive), BACKUP_ENCRYPTION_KEY=key)
        assert "backed up in" in forced.stdout
        assert len(list(restored.backups.glob("keiretsu-*.backup"))) == 1
    finally:
        empty.drop()


def test_a_backup_killed_midway_is_never_taken_for_a_good_one(site, folder):
    good = folder / "good.backup"
    site.command("backup", "-o", str(good))
    target = folder / "killed.backup"
    process = site.start(CRASH, "run", "backup", str(target), str(site.state))
    wait_for_line(process, "PAUSED")
    kill(process)
    partial = folder / ".killed.backup.keiretsu-partial"
    assert not target.exists() and partial.exists()
    assert site.database.query("SELECT status FROM ops_backuprun ORDER BY id DESC")[0][0] == "running"

    for command in (["restore", str(partial)], ["backup", "--verify", str(partial)]):
        refused = site.command(*command, check=False)
        assert refused.returncode == 1 and "Refused" in refused.stderr, refused.stderr

    # The next backup in that folder clears the leftovers and records the interruption.
    site.command("backup", "-o", str(folder / "next.backup"))
    assert not partial.exists()
    runs = site.database.query("SELECT status, message FROM ops_backuprun ORDER BY id DESC")
    assert runs[0][0] == "succeeded" and runs[1][0] == "failed" and "Interrupted" in runs[1][1]
    assert "every checksum matches" in site.command("backup", "--verify", str(good)).stdout


# --- SIGKILL in the middle of a change ---------------------------------------------------


@pytest.mark.parametrize("scenario", ["import", "submission", "share"])
def test_a_change_killed_before_its_commit_is_wholly_absent_then_made_whole(site, scenario):
    before = check(site)[scenario]
    process = site.start(CRASH, "run", scenario, "before_commit", str(site.state))
    wait_for_line(process, "PAUSED")
    kill(process)
    assert check(site)[scenario] == before  # nothing of it: neither the change nor its audit rows

    done = site.start(CRASH, "run", scenario, "none", str(site.state))
    wait_for_line(done, "DONE")
    done.wait(timeout=60)
    after = check(site)[scenario]
    expected = {
        "import": {"status": "applied", "not_achieved": 10, "audit": before["audit"] + 1},
        "submission": {"status": "submitted", "snapshot": True, "audit": 1},
        "share": {"shares": 1, "audit": 2},  # the sharer's row and the recipient's
    }[scenario]
    assert after == expected


def test_a_benchmark_recompute_killed_in_the_worker_runs_again(site):
    before = check(site)["benchmark"]
    assert before["task"] == "READY"
    process = site.start(CRASH, "run", "benchmark", "before_commit", str(site.state))
    wait_for_line(process, "PAUSED")
    kill(process)
    killed = check(site)["benchmark"]
    assert killed == {**before, "task": "RUNNING", "attempts": 1}

    # A worker started later sees the task's worker silent and runs the task again, once.
    site.command("worker", "--batch", "--no-startup-delay", WORKER_LOST_AFTER="0")
    after = check(site)["benchmark"]
    assert after["task"] == "SUCCESSFUL" and after["attempts"] == 2
    assert after["audit"] == before["audit"] + 1


# --- Two application servers, one database, one cache --------------------------------------


@pytest.fixture(scope="module")
def static_files(site):
    """Production serves hashed static files: collect them once (scripts/serve does it too)."""
    site.command("collectstatic", "--no-input", "-v0", DEBUG="false", SECRET_KEY="collect", timeout=600)


def test_two_servers_share_sessions_rate_limits_and_the_task_queue(site, static_files):
    processes.require_redis()
    import httpx

    env = {
        "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(40), "SITE_URL": "http://127.0.0.1",
        "HTTPS": "false", "CACHE_LOCATION": processes.REDIS_URL, "CACHE_KEY_PREFIX": secrets.token_hex(6),
        "SIGN_IN_MAX_FAILURES": "3", "WORKER_HEARTBEAT_SECONDS": "1",
    }  # fmt: skip
    ports = [processes.free_port(), processes.free_port()]
    servers = [processes.gunicorn(site, port, **env) for port in ports]
    workers = [site.start("keiretsu.cli", "worker", "--no-startup-delay", "--interval", "0.2", **env) for _ in ports]
    try:
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        for url, server in zip((a, b), servers, strict=True):
            wait_until_up(f"{url}/healthz", server)
        state = json.loads(site.state.read_text())

        # A session made on A holds on B.
        with httpx.Client(base_url=a, cookies={"django_language": "en"}) as client:
            sign_in(client, "body@example.com", "keiretsu-demo")
            session = client.cookies.get("sessionid")
        with httpx.Client(base_url=b, cookies={"sessionid": session, "django_language": "en"}) as other:
            page = other.get(f"/o/{state['benchmark']['body']}/benchmark/")
            assert page.status_code == 200 and "sign out" in page.text.lower()

        # Three failed sign-ins on A: the fourth, on B, is refused even with the right password.
        for _ in range(3):
            with httpx.Client(base_url=a, cookies={"django_language": "en"}) as client:
                assert "Too many" not in sign_in(client, state["e2e"]["email"], "wrong password!").text
        with httpx.Client(base_url=b, cookies={"django_language": "en"}) as client:
            refused = sign_in(client, state["e2e"]["email"], "correct horse battery staple")
            assert "Too many failed sign-ins" in refused.text and "sessionid" not in client.cookies

        # Recomputes queued through both servers run once each, spread over both workers.
        audits = check(site)["benchmark"]["audit"]
        queued = 0
        for url in (a, b, a, b):
            with httpx.Client(base_url=url, cookies={"django_language": "en"}) as client:
                sign_in(client, "body@example.com", "keiretsu-demo")
                round_page = f"/o/{state['benchmark']['body']}/benchmark/rounds/{state['benchmark']['round']}/"
                form = client.get(round_page).text
                edition = re.search(r'name="edition" value="(\d+)"', form) or re.search(r'<option value="(\d+)"', form)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
                response = client.post(
                    f"{round_page}recompute/", data={"edition": edition.group(1), "csrfmiddlewaretoken": token}
                )
                assert response.status_code == 302
                queued += 1
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and check(site)["benchmark"]["audit"] < audits + queued:
            time.sleep(1)
        rows = site.database.query(
            "SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE ? "
            "AND status = 'SUCCESSFUL' ORDER BY enqueued_at DESC",
            "%recompute_release",
        )[:queued]
        assert check(site)["benchmark"]["audit"] == audits + queued  # each ran, and only once
        assert [len(json.loads(w) if isinstance(w, str) else w) for (w,) in rows] == [1] * queued  # by one worker
    finally:
        for process in servers + workers:
            kill(process, signal.SIGTERM)


def sign_in(client, email, password):
    form = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return client.post(
        "/accounts/login/",
        data={"login": email, "password": password, "csrfmiddlewaretoken": token},
        follow_redirects=True,
    )


# --- Health ------------------------------------------------------------------------------------


def test_readyz_says_which_check_failed_within_a_second_when_the_database_is_gone(site, folder):
    if ON_POSTGRES:
        gone = "postgres://keiretsu:keiretsu@127.0.0.1:1/nothing"  # nothing listens on port 1
    else:
        gone = f"sqlite:///{folder}/no/such/folder/db.sqlite3"
    port = processes.free_port()
    server = processes.gunicorn(site, port, DATABASE_URL=gone)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        import httpx

        started = time.monotonic()
        response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert time.monotonic() - started < 1.5
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable" and body["checks"]["database"]["ok"] is False
        assert "nothing" not in response.text and "keiretsu" not in response.text  # no names, no secrets
    finally:
        kill(server, signal.SIGTERM)


# --- The production stack in a browser --------------------------------------------------------


@pytest.mark.e2e
def test_sign_in_answer_submit_and_download_the_pdf_through_scripts_serve(site, browser, folder):
    if not ON_POSTGRES:
        pytest.skip("runs in the PostgreSQL pass: the production stack is PostgreSQL and Redis")
    processes.require_redis()
    from playwright.sync_api import expect

    state = json.loads(site.state.read_text())["e2e"]
    port = processes.free_port()
    env = {
        **site.env, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}", "HTTPS": "false", "CACHE_LOCATION": processes.REDIS_URL,
        "CACHE_KEY_PREFIX": secrets.token_hex(6), "LOG_FORMAT": "json",
    }  # fmt: skip
    serve = subprocess.Popen(
        [str(ROOT / "scripts/serve"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz", serve, timeout=300)
        context = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900}, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{url}/accounts/login/")
        page.fill("input[name=login]", state["email"])
        page.fill("input[name=password]", "correct horse battery staple")
        page.click("form.form button[type=submit]")
        expect(page.locator("h1")).to_have_text("E2E Company")
        base = f"/o/{state['organisation']}/assessments/{state['assessment']}/"
        page.goto(url + base)
        first = page.locator("div.answer[id^=answer-]").first
        first.locator("label.rating", has_text="×").click()  # every item is ○: change one (htmx saves it)
        expect(first.locator(".saved")).to_be_visible()
        page.click("text=提出…")
        page.click("main form button[type=submit]")
        expect(page.locator(".frozen-note")).to_be_visible()
        pdf = page.request.get(f"{url}{base}report.pdf?download=1")  # the browser's session
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"].startswith("attachment") and pdf.body()[:5] == b"%PDF-"
        context.close()
        ready = __import__("httpx").get(f"{url}/readyz", timeout=5).json()
        assert ready["checks"]["worker"]["ok"] and ready["checks"]["cache"]["ok"]
    finally:
        kill(serve, signal.SIGTERM)
    output = serve.stdout.read()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith('{"time"')]
    requests = [line for line in lines if line["logger"] == "keiretsu.request"]
    assert any(r["path"] == base + "submit/" or r["path"].endswith("/submit/") for r in requests), output[-3000:]
    assert all(r["request_id"] != "-" for r in requests)
    assert not [line for line in lines if line["level"] == "ERROR"], output[-3000:]


# --- The reverse proxy ---------------------------------------------------------------------


def test_the_nginx_configuration_terminates_tls_and_passes_the_request_id(site, folder):
    import shutil

    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if nginx is None:
        if os.environ.get("KEIRETSU_REQUIRE_NGINX"):
            pytest.fail("nginx is required (KEIRETSU_REQUIRE_NGINX is set) but is not installed")
        pytest.skip("nginx is not installed (.ci/run installs nginx-light)")
    import httpx

    proxy = folder / "nginx"
    (proxy / "logs").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(proxy / "key.pem"), "-out", str(proxy / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    app, http, https = processes.free_port(), processes.free_port(), processes.free_port()
    conf = (ROOT / "deploy/nginx/keiretsu.conf").read_text()
    conf = conf.replace("127.0.0.1:8000", f"127.0.0.1:{app}").replace("listen [::]:80;", "")
    conf = conf.replace("listen [::]:443 ssl http2;", "").replace("listen 80;", f"listen 127.0.0.1:{http};")
    conf = conf.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    conf = conf.replace("/etc/ssl/keiretsu/fullchain.pem", str(proxy / "cert.pem"))
    conf = conf.replace("/etc/ssl/keiretsu/privkey.pem", str(proxy / "key.pem"))
    (proxy / "nginx.conf").write_text(
        f"daemon off; pid {proxy}/nginx.pid; error_log {proxy}/logs/error.log;\n"
        f"events {{}}\nhttp {{ log_format ids '$request_id $status $request_uri';\n"
        f"access_log {proxy}/logs/access.log ids; client_body_temp_path {proxy}/body;\n"
        f"proxy_temp_path {proxy}/proxy; fastcgi_temp_path {proxy}/fcgi; uwsgi_temp_path {proxy}/uwsgi;\n"
        f"scgi_temp_path {proxy}/scgi;\n{conf}\n}}\n"
    )
    server = processes.gunicorn(site, app)
    nginx_process = subprocess.Popen([nginx, "-p", str(proxy), "-c", str(proxy / "nginx.conf")], start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{app}/healthz", server)
        for _ in range(50):
            try:
                response = httpx.get(f"https://127.0.0.1:{https}/healthz", verify=False, timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.2)
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
        page = httpx.get(f"https://127.0.0.1:{https}/accounts/login/", verify=False, timeout=5)
        assert page.status_code == 200 and "csrfmiddlewaretoken" in page.text  # Host passed on: no DisallowedHost
        # The id nginx made ($request_id) is the one Keiretsu logged and answered.
        assert f"{page.headers['X-Request-ID']} 200 /accounts/login/" in (proxy / "logs/access.log").read_text()
        redirect = httpx.get(f"http://127.0.0.1:{http}/accounts/login/", timeout=5)
        assert redirect.status_code == 301 and redirect.headers["Location"].startswith("https://")
    finally:
        kill(nginx_process, signal.SIGTERM)
        kill(server, signal.SIGTERM)
