"""Backups: the demo district backed up and restored into an empty database finds every row and every file."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from rmo_portal import backup
from rmo_portal.db import pg_connect_params
from rmo_portal.tasks import backup_nightly

BASE_DIR = Path(settings.BASE_DIR)


def probe() -> dict:
    """What a restore must bring back: rows per table and a few rows' content (run here and in the restored
    installation, by a subprocess)."""
    from associations.models import Association, Membership
    from members.models import Teacher, User
    from rmo_portal.models import StoredFile

    return {
        "counts": backup.table_counts(),
        "users": sorted(map(list, User.objects.values_list("username", "last_name", "first_name", "email"))),
        "teachers": sorted(
            [t.user.username, t.category, str(t.pedagogical_since)] for t in Teacher.objects.select_related("user")
        ),
        "associations": sorted(Association.objects.values_list("name", flat=True)),
        "memberships": Membership.objects.count(),
        "stored_files": sorted(map(list, StoredFile.objects.values_list("original_name", "sha256", "size"))),
    }


def _hashes(root: Path) -> dict[str, str]:
    files = (p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rmo_portal.settings", **env}
    full_env.pop("TESTING", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=full_env, capture_output=True, text=True, timeout=300
    )


def _probe_there(env: dict[str, str]) -> dict:
    code = "import json; from rmo_portal.tests.test_backup import probe; print(json.dumps(probe(), ensure_ascii=False))"
    done = _manage("shell", "-c", code, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # after the shell's own line


def _seed_and_back_up(tmp_path: Path, settings) -> tuple[Path, dict, dict]:
    from associations.demo import demo_seed

    settings.MEDIA_ROOT = str(tmp_path / "media")
    demo_seed()
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out)
    archives = backup.archives_list(tmp_path / "backups")
    assert len(archives) == 1
    assert "Резервная копия готова" in out.getvalue()
    source = json.loads(json.dumps(probe(), ensure_ascii=False))
    files = _hashes(tmp_path / "media")
    assert files, "the demo district stores files; the round trip must carry them"
    assert source["counts"]["members_user"] > 10
    return archives[0], source, files


def _assert_restored(tmp_path: Path, archive: Path, env: dict[str, str], source: dict, files: dict) -> None:
    done = _manage("restore", str(archive), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Все строки и все файлы на месте" in done.stdout
    restored = _probe_there(env)
    assert restored["counts"] == source["counts"]
    for key in ("users", "teachers", "associations", "memberships", "stored_files"):
        assert restored[key] == source[key], key
    assert _hashes(Path(env["MEDIA_ROOT"])) == files

    again = _manage("restore", str(archive), env=env)
    assert again.returncode != 0
    assert "В базе уже есть данные" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_demo_district_round_trip_on_sqlite(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip needs the portal on SQLite (the PostgreSQL one is its own test)")
    archive, source, files = _seed_and_back_up(tmp_path, settings)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["tables"] == source["counts"]
    assert "members" in manifest["migrations"]
    assert {f["path"].removeprefix("media/"): f["sha256"] for f in manifest["files"]} == files

    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'restored' / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
        "VAR_DIR": str(tmp_path / "restored-var"),
    }
    (tmp_path / "restored").mkdir()
    # A fresh installation is migrated before anything else: its own rows are no reason to refuse.
    migrated = _manage("migrate", "--noinput", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    _assert_restored(tmp_path, archive, env, source, files)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_demo_district_round_trip_on_postgresql(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need the portal on PostgreSQL (DATABASE_URL=postgres://…)")
    import psycopg
    from psycopg import sql

    archive, source, files = _seed_and_back_up(tmp_path, settings)
    db = settings.DATABASES["default"]
    name = f"rmo_restore_test_{uuid.uuid4().hex[:10]}"
    params = pg_connect_params(db, dbname="postgres")
    user = f"{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
    env = {
        "DATABASE_URL": f"postgres://{user}@{db.get('HOST') or ''}:{db.get('PORT') or 5432}/{name}",
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
        "VAR_DIR": str(tmp_path / "restored-var"),
    }
    template = db["TEST"]["TEMPLATE"]
    with psycopg.connect(**params, autocommit=True) as pg:
        pg.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    try:
        _assert_restored(tmp_path, archive, env, source, files)
    finally:
        with psycopg.connect(**params, autocommit=True) as pg:
            pg.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _fake_archive(directory: Path, stamp: str) -> Path:
    path = directory / f"rmo-backup-{stamp}.tar.gz"
    path.write_bytes(b"old")
    return path


@pytest.mark.django_db(transaction=True)
def test_nightly_backup_keeps_the_newest_archives_and_deletes_older_ones(tmp_path, settings):
    settings.BACKUP_DIR = str(tmp_path)
    settings.BACKUP_KEEP = 3
    settings.MEDIA_ROOT = str(tmp_path / "media")
    old = [_fake_archive(tmp_path, f"2026-11-{day:02d}T0200") for day in range(20, 26)]
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not an archive")
    with time_machine.travel("2026-11-27 02:00 +03:00", tick=False):
        summary = backup_nightly.apply(throw=True).result  # eager; .get() refuses after a worker ran in-process
    left = sorted(p.name for p in tmp_path.glob("rmo-backup-*"))
    assert left == [old[-2].name, old[-1].name, "rmo-backup-2026-11-27T0200.tar.gz"]
    assert "removed 4" in summary
    assert foreign.exists()
    with tarfile.open(tmp_path / "rmo-backup-2026-11-27T0200.tar.gz") as tar:
        assert "manifest.json" in tar.getnames()


def test_rotation_orders_by_the_date_in_the_name_and_a_second_backup_of_a_minute(tmp_path):
    for name in ("rmo-backup-2026-11-27T0200-2.tar.gz", "rmo-backup-2026-11-27T0200.tar.gz",
                 "rmo-backup-2026-11-26T0200.tar.gz"):  # fmt: skip
        (tmp_path / name).write_bytes(b"x")
    removed = backup.backups_rotate(directory=tmp_path, keep=1)
    assert [p.name for p in removed] == ["rmo-backup-2026-11-26T0200.tar.gz", "rmo-backup-2026-11-27T0200.tar.gz"]
    assert [p.name for p in tmp_path.iterdir()] == ["rmo-backup-2026-11-27T0200-2.tar.gz"]


def _tar_with(tmp_path: Path, add) -> Path:
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        add(tar)
    return path


def _file(tar: tarfile.TarFile, name: str, data: bytes = b"x") -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _symlink(tar: tarfile.TarFile, name: str, target: str) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    tar.addfile(info)


@pytest.mark.parametrize(
    "add",
    [
        lambda tar: _file(tar, "media/../../escaped.txt"),
        lambda tar: _file(tar, "/tmp/absolute.txt"),
        lambda tar: _symlink(tar, "media/link", "/etc/passwd"),
        lambda tar: _file(tar, "elsewhere/file.txt"),
    ],
    ids=["dot-dot", "absolute", "symlink", "unknown-folder"],
)
@pytest.mark.django_db
def test_restore_refuses_an_unsafe_archive_before_writing_anything(tmp_path, settings, add):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    archive = _tar_with(tmp_path, lambda tar: (_file(tar, "manifest.json", b"{}"), add(tar)))
    with pytest.raises(CommandError, match="небезопасен"):
        call_command("restore", str(archive))
    assert not (tmp_path / "media").exists()
    assert not (tmp_path / "escaped.txt").exists()


def test_a_backup_with_files_on_object_storage_is_refused_not_half_made(tmp_path, settings):
    """With FILES_STORAGE=s3 the files are not under MEDIA_ROOT: an archive without them would claim too much."""
    from rmo_portal.backup import BackupError, backup_create

    settings.FILES_STORAGE = "s3"
    with pytest.raises(BackupError, match="объектном хранилище"):
        backup_create(output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
