"""The files of deploy/ agree with the portal: every setting is in env.example, the units run what exists."""

import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
INSTALLED = "/opt/rmo-portal"  # where the README clones the portal on a server


def _settings_variables() -> set[str]:
    text = (BASE_DIR / "rmo_portal" / "settings.py").read_text()
    # env.str("X"…), env.db("X"…), environ.Env().str("VAR_DIR"…): every variable the settings read.
    return set(re.findall(r"\.(?:str|bool|int|float|list|db|email_url|json|url)\(\s*\"([A-Z][A-Z0-9_]*)\"", text))


def _exec_start(unit: Path) -> list[str]:
    text = unit.read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def test_env_example_lists_every_variable_the_settings_read():
    variables = _settings_variables()
    assert {"DATABASE_URL", "SECRET_KEY", "VAR_DIR", "BACKUP_KEEP", "UPLOAD_DOCUMENT_MB"} <= variables
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (DEPLOY / "env.example").read_text(), re.MULTILINE))
    assert variables - listed == set()
    assert listed - variables == set(), "env.example names a variable the settings do not read"


def test_there_are_three_units_and_beat_says_it_runs_on_one_host():
    assert [u.name for u in UNITS] == ["rmo-portal-beat.service", "rmo-portal-web.service", "rmo-portal-worker.service"]
    beat = (DEPLOY / "systemd" / "rmo-portal-beat.service").read_text()
    assert "ONE HOST ONLY" in beat


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_units_run_commands_that_exist_with_the_env_file(unit):
    text = unit.read_text()
    assert "EnvironmentFile=/etc/rmo-portal/env" in text
    assert f"WorkingDirectory={INSTALLED}" in text
    command = _exec_start(unit)
    program = Path(command[0])
    assert program.is_relative_to(INSTALLED)
    assert (BASE_DIR / program.relative_to(INSTALLED)).exists(), f"{program} is not in the portal's virtualenv"
    if program.name == "gunicorn":
        module = command[1].replace(".", "/") + ".py"
        assert (BASE_DIR / module).exists()
    else:
        assert program.name == "celery"
        assert command[command.index("-A") + 1] == "rmo_portal"
        assert (BASE_DIR / "rmo_portal" / "celery.py").exists()
        assert command[3] in ("worker", "beat")


def test_web_unit_runs_gunicorn_with_the_flags_of_portal_start():
    script = (BASE_DIR / "portal").read_text().replace("\\\n", " ")
    started = shlex.split(next(line for line in script.splitlines() if "bin/gunicorn" in line).rstrip(" &"))
    unit = _exec_start(DEPLOY / "systemd" / "rmo-portal-web.service")

    def flags(words):
        found, skip = [], False
        for i, word in enumerate(words):
            if skip:
                skip = False
                continue
            if word == "--bind":
                skip = True
            elif word.startswith("--"):
                nxt = words[i + 1] if i + 1 < len(words) and not words[i + 1].startswith("--") else None
                found.append((word, nxt))
        return found

    assert flags(unit) == flags(started)


def test_nginx_lets_the_largest_upload_reach_the_portal_and_never_serves_media():
    conf = (DEPLOY / "nginx" / "rmo-portal.conf").read_text()
    limit = int(re.search(r"client_max_body_size (\d+)m;", conf)[1])
    # rmo_portal.files.LimitedUploadHandler refuses more than the largest limit + 1 MB, in Russian.
    assert limit > max(settings.UPLOAD_LIMITS_MB.values()) + 1
    assert "location /media/" not in conf
    assert "alias /var/lib/rmo-portal/staticfiles/;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "return 301 https://" in conf
