"""The files under deploy/ say what the code does: commands and options that exist, settings
that are read. (The nginx configuration runs for real in test_processes.py.)"""

import configparser
import re
import shlex

import pytest
from django.core.management import load_command_class

from .processes import ROOT

DEPLOY = ROOT / "deploy"


def unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


@pytest.mark.parametrize(
    ("name", "command"), [("keiretsu-web.service", "serve"), ("keiretsu-worker.service", "worker")]
)
def test_each_unit_runs_a_command_that_exists_with_options_it_accepts(name, command, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    service = unit(name)["Service"]
    program, subcommand, *options = shlex.split(service["ExecStart"])
    assert program.endswith("/.venv/bin/keiretsu") and subcommand == command
    parser = load_command_class("keiretsu.ops", command).create_parser("keiretsu", command)
    parser.parse_args(options)  # exits on an unknown option
    assert service["EnvironmentFile"] == "/etc/keiretsu/keiretsu.env"
    assert service["Restart"] == "always"


def test_every_setting_in_the_environment_file_is_read_by_keiretsu():
    settings_source = (ROOT / "keiretsu" / "settings.py").read_text()
    names = re.findall(r"^([A-Z_]+)=", (DEPLOY / "keiretsu.env.example").read_text(), re.MULTILINE)
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "CACHE_LOCATION", "BACKUP_DIR"} <= set(names)
    unknown = [n for n in names if f'"{n}"' not in settings_source]
    assert not unknown, f"not read by settings.py: {unknown}"


def test_the_deploy_guide_names_the_files_that_exist():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            assert str(path.relative_to(ROOT)) in guide, path
