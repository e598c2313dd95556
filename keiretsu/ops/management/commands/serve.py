"""`keiretsu serve`: the production stack in one command (docs/deploy.md).

Applies migrations, creates the cache table, collects static files, then runs gunicorn and
the task worker side by side and watches them: a worker that stops is started again; when
gunicorn stops, or on SIGTERM/SIGINT, everything stops.
"""

import ctypes
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from keiretsu.ops import production


def _die_with_parent():
    """Children get SIGTERM if `serve` itself is killed (Linux), so nothing is left running."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Command(BaseCommand):
    help = "Run Keiretsu in production: migrate, collect static files, then gunicorn and the task worker."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.WEB_BIND, help="Address:port (default: WEB_BIND).")
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS, help="gunicorn processes.")
        parser.add_argument("--threads", type=int, default=settings.WEB_THREADS, help="Threads per process.")
        parser.add_argument("--no-worker", action="store_true", help="Web server only (workers run elsewhere).")
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply migrations (scale-out).")
        parser.add_argument("--no-collectstatic", action="store_true", help="Static files are collected already.")

    def handle(self, *args, **options):
        missing = production.missing_settings(os.environ) if not settings.DEBUG else []
        if missing:
            raise CommandError(production.refusal(missing))
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: this is not a production configuration.")
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
            call_command("createcachetable", verbosity=0)
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.supervise(options)

    def supervise(self, options):
        web_command = [
            sys.executable, "-m", "gunicorn", "keiretsu.wsgi:application",
            "--bind", options["bind"],
            "--workers", str(options["workers"]),
            "--threads", str(options["threads"]),
            "--worker-class", "gthread",
            "--timeout", str(settings.WEB_TIMEOUT),
            "--graceful-timeout", "30",
            "--keep-alive", "5",
            "--max-requests", "2000", "--max-requests-jitter", "200",  # bounds slow memory growth
            "--error-logfile", "-",
            "--no-control-socket",  # several servers may run on one machine
        ]  # fmt: skip
        worker_command = [sys.executable, "-m", "keiretsu.cli", "worker", "--no-startup-delay"]
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        web = subprocess.Popen(web_command, preexec_fn=_die_with_parent)  # noqa: PLW1509 (no threads here)
        worker = None if options["no_worker"] else subprocess.Popen(worker_command, preexec_fn=_die_with_parent)  # noqa: PLW1509 (no threads here)
        self.stdout.write(
            f"Keiretsu on http://{options['bind']} ({options['workers']} processes x {options['threads']} threads)"
            + ("" if worker is None else " with the task worker")
        )
        code = 0
        try:
            while not stopping:
                if web.poll() is not None:
                    code = web.returncode or 1
                    self.stderr.write(f"gunicorn stopped (exit status {web.returncode}): stopping.")
                    break
                if worker is not None and worker.poll() is not None:
                    self.stderr.write(f"The task worker stopped (exit status {worker.returncode}): starting it again.")
                    time.sleep(1)
                    worker = subprocess.Popen(worker_command, preexec_fn=_die_with_parent)  # noqa: PLW1509 (no threads here)
                time.sleep(0.5)
        finally:
            for process in (worker, web):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 35
            for process in (worker, web):
                if process is not None:
                    try:
                        process.wait(timeout=max(0.1, deadline - time.monotonic()))
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
        if code:
            sys.exit(code)
