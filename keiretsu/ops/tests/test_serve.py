"""`keiretsu serve` refuses production without its settings; the shared cache by configuration."""

import json
import os
import subprocess
import sys

import pytest

from keiretsu.ops import production

from .processes import ROOT


def run(code_or_args, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CACHE_", "DEBUG", "SECRET_KEY", "DATABASE"))}
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_serve_refuses_production_naming_every_missing_setting():
    done = run(["-m", "keiretsu.cli", "serve"], DEBUG="false", SITE_URL="https://keiretsu.example.jp")
    assert done.returncode == 2
    assert "SECRET_KEY:" in done.stderr and "ALLOWED_HOSTS:" in done.stderr and "SITE_URL:" not in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_is_production_unless_debug_is_set():
    assert production.missing_settings({}) == []  # DEBUG defaults to on for development commands
    assert production.missing_settings({"DEBUG": "false", "SECRET_KEY": "x", "ALLOWED_HOSTS": " "}) == [
        "ALLOWED_HOSTS", "SITE_URL",
    ]  # fmt: skip
    done = run(["-m", "keiretsu.cli", "serve"])  # no DEBUG at all: serve means production
    assert done.returncode == 2 and "SECRET_KEY" in done.stderr


SHOW = [
    "-c",
    (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CACHES['default'], s.SESSION_ENGINE]))"
    ),
]


@pytest.mark.parametrize(
    ("env", "backend", "location", "sessions"),
    [
        ({}, "locmem.LocMemCache", "keiretsu", "db"),
        ({"DEBUG": "false", "SECRET_KEY": "x"}, "db.DatabaseCache", "keiretsu_cache", "db"),
        ({"CACHE_LOCATION": "redis://10.0.0.5:6379/2"}, "redis.RedisCache", "redis://10.0.0.5:6379/2", "cached_db"),
        ({"CACHE_BACKEND": "django.core.cache.backends.db.DatabaseCache"}, "db.DatabaseCache", "keiretsu_cache", "db"),
    ],
)
def test_the_shared_cache_is_chosen_by_configuration(env, backend, location, sessions):
    done = run(SHOW, DJANGO_SETTINGS_MODULE="keiretsu.settings", **env)
    cache, engine = json.loads(done.stdout)
    assert cache["BACKEND"] == f"django.core.cache.backends.{backend}"
    assert cache["LOCATION"] == location
    assert engine == f"django.contrib.sessions.backends.{sessions}"


@pytest.mark.parametrize(
    ("copy_to", "expected"),
    [
        ("", None),
        ("/mnt/offsite/keiretsu", {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                   "OPTIONS": {"location": "/mnt/offsite/keiretsu"}}),
        ("s3://backups-bucket/keiretsu/prod/", {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": "backups-bucket", "location": "keiretsu/prod", "endpoint_url": "https://s3.example.jp",
            "file_overwrite": False}}),
    ],
)  # fmt: skip
def test_the_copy_away_is_a_folder_or_an_s3_bucket(copy_to, expected):
    show = [
        "-c",
        (
            "import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps(s.STORAGES.get('backup_copy')))"
        ),
    ]
    done = run(show, DJANGO_SETTINGS_MODULE="keiretsu.settings", BACKUP_COPY_TO=copy_to,
               AWS_S3_ENDPOINT_URL="https://s3.example.jp")  # fmt: skip
    assert json.loads(done.stdout) == expected
