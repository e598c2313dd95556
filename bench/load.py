"""Load on the production stack: assessors answering their checklists at once (issue 10).

    DATABASE_URL=postgres://user:pw@127.0.0.1:5432/NAME uv run python bench/load.py
        [--assessors 100] [--duration 300] [--workers 3] [--threads 4] [--find-max 30,45,60,100]

Starts `keiretsu serve` (gunicorn + the task worker) on a free port of 127.0.0.1, over a
throw-away PostgreSQL database NAME_load (created and dropped here) and Redis
(LOAD_REDIS_URL, default redis://127.0.0.1:6379/0, keys under a random prefix). Each assessor
is a different user of a different organisation with a METI assessment (153 items, half
answered). Assessors arrive over the first --ramp seconds (60); each signs in, then repeats: open
the checklist, save 5-15 answers with 1-3 s of think time each, filter the checklist (unanswered,
not achieved, or ★3 only), save 5-15 more, and in 3 % of the rounds download the PDF. All
traffic goes to 127.0.0.1, and the run stops by itself.

Prints, per request type: count, errors, p50/p95/p99 (ms) and requests/s, beside the targets:
100 assessors for 5 minutes, 0 errors, save p95 <= 250 ms, checklist p95 <= 800 ms. With
--find-max it runs each number of assessors in turn (--duration each) and names the highest
that still meets the targets.
"""

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"save": 250, "checklist": 800}
PASSWORD = "load-test-password-1"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assessors", type=int, default=100)
    parser.add_argument("--duration", type=int, default=300, help="seconds of load per run")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    parser.add_argument("--find-max", default="", help="comma-separated numbers of assessors to try in turn")
    parser.add_argument("--pdf-share", type=float, default=0.03, help="share of rounds that download the PDF")
    parser.add_argument("--ramp", type=float, default=60, help="seconds over which the assessors arrive")
    return parser.parse_args()


def scratch_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the load runs on NAME_load beside it.")
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_load"
    return name, urlunsplit(parts._replace(path="/" + name)), urlunsplit(parts._replace(path="/postgres"))


def admin(url, sql):
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(sql)


def seed(env, assessors):
    code = f"""
import django, json, random
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)
from keiretsu.catalogue.services import catalogue_load_files
catalogue_load_files()
from keiretsu.accounts import services as accounts
from keiretsu.accounts.models import User, Membership
from keiretsu.assessments import services
from keiretsu.assessments.models import Answer
from keiretsu.catalogue.models import Edition
from keiretsu.lib.corporate_number import with_check_digit
edition = Edition.objects.get(guideline__slug="meti-scs")
items = list(edition.items.order_by("position"))
rng = random.Random(7)
out = []
for n in range({assessors}):
    user = accounts.user_create(email=f"assessor{{n}}@load.example", password="{PASSWORD}", name=f"Assessor {{n}}", verified=True)
    org = accounts.organisation_create(actor=user, name=f"Load Parts {{n}}", corporate_number=with_check_digit(f"{{700000000000 + n:012d}}"),
                                       size_band="medium", business_type="parts", tier=1)
    membership = Membership.objects.get(user=user, organisation=org)
    a = services.assessment_create(membership=membership, actor=user, scope=org.scopes.get(kind="company"), edition=edition, fiscal_year=2026)
    Answer.objects.bulk_create([Answer(assessment=a, item=i, rating=rng.choice("○×"), updated_by=user) for i in items[::2]])
    out.append({{"email": user.email, "org": org.pk, "assessment": a.pk, "items": [i.pk for i in items]}})
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"Seeding failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_stack(env, port, workers, threads, log):
    process = subprocess.Popen(
        [sys.executable, "-m", "keiretsu.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--no-migrate"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"keiretsu serve stopped; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        time.sleep(1)
    sys.exit("the stack did not become ready")


class Recorder:
    def __init__(self):
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.examples = {}

    async def request(self, kind, coroutine, ok=(200,)):
        started = time.perf_counter()
        try:
            response = await coroutine
        except Exception as exc:  # noqa: BLE001 (a timeout or a refused connection is an error)
            self.errors[kind] += 1
            self.examples.setdefault(kind, repr(exc))
            return None
        self.times[kind].append((time.perf_counter() - started) * 1000)
        if response.status_code not in ok:
            self.errors[kind] += 1
            self.examples.setdefault(kind, f"HTTP {response.status_code}")
        return response


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def saves(client, recorder, page, account, token, base, stop_at, rng):
    """5-15 answers, each after 1-3 s of thinking; False once the run is over."""
    for _ in range(rng.randint(5, 15)):
        await asyncio.sleep(rng.uniform(1, 3))
        if time.monotonic() >= stop_at:
            return False
        item = rng.choice(account["items"])
        await recorder.request(
            "save",
            client.post(
                f"{page}items/{item}/",
                data={"rating": rng.choice("○×－"), "comment": ""},
                headers={"HX-Request": "true", "X-CSRFToken": token, "Referer": base + page},
            ),
        )
    return True


async def assessor(account, base, recorder, stop_at, pdf_share, ramp, rng):
    import httpx

    headers = {"X-Forwarded-For": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"}
    async with httpx.AsyncClient(base_url=base, timeout=30, cookies={"django_language": "ja"}, headers=headers) as client:
        await asyncio.sleep(rng.uniform(0, ramp))  # people do not all arrive in the same second
        form = await recorder.request("sign-in", client.get("/accounts/login/"))
        if form is None:
            return
        data = {"login": account["email"], "password": PASSWORD, "csrfmiddlewaretoken": CSRF.search(form.text)[1]}
        if await recorder.request("sign-in", client.post("/accounts/login/", data=data), ok=(302,)) is None:
            return
        page = f"/o/{account['org']}/assessments/{account['assessment']}/"
        while time.monotonic() < stop_at:
            checklist = await recorder.request("checklist", client.get(page))
            if checklist is None:
                await asyncio.sleep(1)
                continue
            token = client.cookies.get("csrftoken")
            if not await saves(client, recorder, page, account, token, base, stop_at, rng):
                return
            query = rng.choice([{"unanswered": "1"}, {"rating": "×"}, {"level": "★3"}])
            await recorder.request("filter", client.get(page, params=query))
            if not await saves(client, recorder, page, account, token, base, stop_at, rng):
                return
            if rng.random() < pdf_share:
                await recorder.request("pdf", client.get(f"{page}report.pdf"), ok=(200,))


async def load(accounts, base, duration, pdf_share, ramp):
    recorder = Recorder()
    stop_at = time.monotonic() + duration
    rng = random.Random(11)
    started = time.monotonic()
    await asyncio.gather(
        *(assessor(a, base, recorder, stop_at, pdf_share, ramp, random.Random(rng.random())) for a in accounts)
    )
    return recorder, time.monotonic() - started


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes and of their children that ended (Linux /proc:
    a gunicorn worker restarted after max_requests is counted in its master), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def stack_pids(root: int, database: str, admin_url: str) -> list[int]:
    """The serve process, gunicorn and the worker under it, and PostgreSQL's backends for our database."""
    children = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(stat.parent.name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += children.get(pid, [])
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as db:
        pids += [pid for (pid,) in db.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])]
    return pids


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(recorder, elapsed, assessors):
    print(f"\n{assessors} assessors, {elapsed:.0f} s")
    print(f"{'request':<10} {'count':>7} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7}  target")
    met = True
    for kind in ("sign-in", "checklist", "save", "filter", "pdf"):
        times = recorder.times.get(kind, [])
        errors = recorder.errors.get(kind, 0)
        p95 = percentile(times, 0.95)
        target = ""
        if kind in TARGETS:
            ok = p95 <= TARGETS[kind]
            met &= ok
            target = f"p95 <= {TARGETS[kind]} ms: {'met' if ok else 'NOT MET'}"
        met &= errors == 0
        print(
            f"{kind:<10} {len(times):>7} {errors:>7} {percentile(times, 0.5):>8.0f} {p95:>8.0f} "
            f"{percentile(times, 0.99):>8.0f} {len(times) / elapsed:>7.1f}  {target}"
        )
    total = sum(len(t) for t in recorder.times.values())
    print(
        f"{'all':<10} {total:>7} {sum(recorder.errors.values()):>7} {'':>8} {'':>8} {'':>8} {total / elapsed:>7.1f}  0 errors"
    )
    for kind, example in recorder.examples.items():
        print(f"  first error in {kind}: {example}")
    print(f"targets {'MET' if met else 'NOT MET'}")
    return met


def main():
    options = arguments()
    counts = [int(n) for n in options.find_max.split(",")] if options.find_max else [options.assessors]
    name, url, admin_url = scratch_database()
    folder = Path(tempfile.mkdtemp(prefix="keiretsu-load-"))
    redis_url = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/0")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CACHE_", "BACKUP_"))},
        "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1", "SITE_URL": "http://127.0.0.1", "HTTPS": "false",
        "CACHE_LOCATION": redis_url, "CACHE_KEY_PREFIX": "load-" + secrets.token_hex(4),
        "STATIC_ROOT": str(folder / "static"), "MEDIA_ROOT": str(folder / "media"),
        "DJANGO_SETTINGS_MODULE": "keiretsu.settings", "BACKUP_HOUR": "off",
        "SIGN_IN_MAX_FAILURES": "1000",
        # As behind the proxy of docs/deploy.md: each assessor comes from an address of their own
        # (X-Forwarded-For below), so the per-address sign-in limits see 100 companies, not one.
        "TRUSTED_PROXY": "true",
    }  # fmt: skip
    admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(admin_url, f'CREATE DATABASE "{name}"')
    stack = None
    try:
        print(f"Seeding {max(counts)} assessors in {name} ...", flush=True)
        accounts = seed(env, max(counts))
        subprocess.run([sys.executable, "-m", "keiretsu.cli", "collectstatic", "--no-input", "-v0"],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
        port = free_port()
        log = open(folder / "serve.log", "w")  # noqa: SIM115 (the stack writes to it until the end)
        stack = start_stack(env, port, options.workers, options.threads, log)
        print(
            f"Stack: gunicorn {options.workers} processes x {options.threads} threads (gthread) + 1 task worker, "
            f"PostgreSQL, Redis; {os.cpu_count()} cores; load average before: "
            + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
            flush=True,
        )
        best = None
        for count in counts:
            before = cpu_seconds(stack_pids(stack.pid, name, admin_url))
            own = os.times()
            recorder, elapsed = asyncio.run(
                load(accounts[:count], f"http://127.0.0.1:{port}", options.duration, options.pdf_share, options.ramp)
            )
            if report(recorder, elapsed, count):
                best = count
            # PostgreSQL backends that ended during the run are not counted: a lower bound.
            used = cpu_seconds(stack_pids(stack.pid, name, admin_url)) - before
            generator = sum(os.times()[:2]) - sum(own[:2])
            saves = len(recorder.times.get("save", []))
            print(
                f"CPU used by the stack: {used:.0f} s in {elapsed:.0f} s ({used / elapsed:.2f} cores on average; "
                f"{1000 * used / max(1, sum(len(t) for t in recorder.times.values())):.0f} ms per request, "
                f"{used / elapsed / count * 100:.2f} cores per 100 assessors); the load generator: {generator:.0f} s; "
                f"{saves} saves",
                flush=True,
            )
            print("load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
        if options.find_max:
            print(f"\nHighest number of assessors meeting the targets: {best if best else 'none of those tried'}")
    finally:
        if stack is not None:
            os.killpg(stack.pid, signal.SIGTERM)
            stack.wait(timeout=60)
        admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
