"""Backups of the whole portal: the database and the uploaded files in one dated archive, and back again.

An archive `rmo-backup-YYYY-MM-DDTHHMM.tar.gz` (district time) holds

- `database/postgresql.dump` (`pg_dump --format=custom`) or `database/db.sqlite3` (SQLite's online backup API),
- `media/…`, every file under MEDIA_ROOT,
- `manifest.json`: the portal's commit, the date, the database vendor, the applied migrations per app, the rows
  per table and every file with its size and SHA-256, all read from the same moment as the dump (on PostgreSQL
  the dump runs in the snapshot the counts were made in).

`backup_restore()` brings an archive back into an empty installation and then checks the rows and the files
against the manifest. An archive is read as untrusted: only regular files and folders under the three names
above, no absolute paths, no `..`, no links of any kind.
"""

import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from .db import pg_connect_params

FORMAT = 1
PREFIX = "rmo-backup-"
SUFFIX = ".tar.gz"
NAME_RE = re.compile(r"^rmo-backup-(\d{4}-\d{2}-\d{2}T\d{4})(?:-(\d+))?\.tar\.gz$")
MANIFEST = "manifest.json"
PG_DUMP = "database/postgresql.dump"
SQLITE_COPY = "database/db.sqlite3"
MEDIA = "media"
CHUNK = 1024 * 1024

# Tables that an installation fills by itself: by its migrations (Django's own, the consent document and the
# regulation presets, associations/presets.py) and by beat and the worker at their start. Rows there do not make
# a database "used"; a row anywhere else does. The SQLite round trip test restores into a freshly migrated
# database, so a new data migration that fills another table fails it until the table is named here.
SELF_FILLED_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "django_session",
    "sqlite_sequence",
    "rmo_portal_heartbeat",
    "rmo_portal_lock",
    "members_consentdocument",
    "associations_regulation",
    "associations_documentrule",
    "associations_meetingrule",
    "associations_protocolrule",
    "associations_publicationwindow",
}
SELF_FILLED_PREFIXES = ("django_celery_beat_",)


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message is Russian and says why."""


@dataclass
class BackupResult:
    path: Path
    size: int
    vendor: str
    tables: int
    rows: int
    files: int
    files_size: int


@dataclass
class RestoreReport:
    vendor: str
    created: str
    tables_checked: int = 0
    rows: int = 0
    files_checked: int = 0
    row_mismatches: list[str] = field(default_factory=list)
    file_mismatches: list[str] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.row_mismatches and not self.file_mismatches


# --- Names and rotation -------------------------------------------------------------------------------------


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def _archive_path(directory: Path, now: datetime.datetime) -> Path:
    stamp = timezone.localtime(now).strftime("%Y-%m-%dT%H%M")
    path = directory / f"{PREFIX}{stamp}{SUFFIX}"
    n = 1
    while path.exists():  # two backups within a minute: the second gets -2, -3…
        n += 1
        path = directory / f"{PREFIX}{stamp}-{n}{SUFFIX}"
    return path


def _archive_key(path: Path) -> tuple[str, int] | None:
    match = NAME_RE.match(path.name)
    return (match[1], int(match[2] or 1)) if match else None


def archives_list(directory: Path | None = None) -> list[Path]:
    """The portal's archives in a folder, oldest first (by the date in the name); other files are not ours."""
    directory = directory or backup_dir()
    if not directory.is_dir():
        return []
    found = [p for p in directory.iterdir() if p.is_file() and _archive_key(p)]
    return sorted(found, key=_archive_key)


def backups_rotate(*, directory: Path | None = None, keep: int | None = None) -> list[Path]:
    """Delete all but the newest `keep` archives (BACKUP_KEEP); other files in the folder stay. Returns the deleted."""
    keep = settings.BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError("Нужно хранить хотя бы одну копию (BACKUP_KEEP ≥ 1).")
    archives = archives_list(directory)
    old = archives[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return old


# --- Describing a database ------------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _describe(cursor, tables: list[str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Rows per table and applied migrations per app, through any DB-API cursor (sqlite3, psycopg)."""
    counts = {}
    for table in sorted(tables):
        # Table names come from the database's own catalogue, quoted.
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return counts, migrations


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [row[0] for row in cursor.fetchall()]


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [row[0] for row in cursor.fetchall()]


def table_counts() -> dict[str, int]:
    """Rows per table of the configured database, now."""
    with connection.cursor() as cursor:
        tables = _pg_tables(cursor) if connection.vendor == "postgresql" else _sqlite_tables(cursor)
        return _describe(cursor, tables)[0]


def tables_with_data() -> list[str]:
    """Tables that hold rows beyond what an empty migrated installation has."""
    return [
        table
        for table, count in table_counts().items()
        if count and table not in SELF_FILLED_TABLES and not table.startswith(SELF_FILLED_PREFIXES)
    ]


# --- PostgreSQL ----------------------------------------------------------------------------------------------


def _pg_db() -> dict:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("База данных портала — не PostgreSQL.")
    return db


def _pg_command_env(db: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump and pg_restore; the password goes in PGPASSWORD, never on the command line."""
    args = ["--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return args, env


def _pg_connect(db: dict):
    import psycopg

    return psycopg.connect(**pg_connect_params(db), autocommit=True)


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"Не найдена программа {command[0]} (apt-get install postgresql-client).") from error
    if done.returncode:
        raise BackupError(f"{what} завершился с ошибкой (код {done.returncode}): {done.stderr.strip()[-2000:]}")


def _pg_dump(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Dump in one snapshot, and count the rows in the same snapshot, so that the manifest matches the dump."""
    db = _pg_db()
    args, env = _pg_command_env(db)
    with _pg_connect(db) as pg:
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]
        cursor = pg.cursor()
        described = _describe(cursor, _pg_tables(cursor))
        command = [shutil.which("pg_dump") or "pg_dump", "--format=custom", f"--snapshot={snapshot}",
                   f"--file={target}", *args, f"--dbname={db['NAME']}"]  # fmt: skip
        _run(command, env, "pg_dump")
        pg.execute("COMMIT")
    return described


def _pg_restore(dump: Path) -> None:
    db = _pg_db()
    args, env = _pg_command_env(db)
    connections.close_all()
    command = [shutil.which("pg_restore") or "pg_restore", "--clean", "--if-exists", "--no-owner",
               "--single-transaction", *args, f"--dbname={db['NAME']}", str(dump)]  # fmt: skip
    _run(command, env, "pg_restore")


# --- SQLite ----------------------------------------------------------------------------------------------------


def _sqlite_dump(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Copy the live database through SQLite's online backup API (safe while the portal writes), then describe
    the copy itself."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        return _describe(cursor, _sqlite_tables(cursor))
    finally:
        copy.close()


def _sqlite_restore(copy: Path) -> None:
    """Write the archived database over the configured file, through the same backup API: SQLite replaces every
    page under its own locks, and the write-ahead log of the old file cannot outlive it."""
    name = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    target = sqlite3.connect(name, timeout=20)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


# --- Backup ----------------------------------------------------------------------------------------------------


class _HashingReader:
    """Reads a file for tarfile while hashing it, so that each file is read once."""

    def __init__(self, handle):
        self.handle = handle
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha.update(data)
        return data


def _portal_commit() -> str | None:
    if not (Path(settings.BASE_DIR) / ".git").exists():
        return None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )  # fmt: skip
        if done.returncode == 0:
            return done.stdout.strip()
    return None


def _add_file(tar: tarfile.TarFile, source: Path, arcname: str) -> dict:
    stat = source.stat()
    info = tarfile.TarInfo(arcname)
    info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
    with source.open("rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": arcname, "size": stat.st_size, "sha256": reader.sha.hexdigest()}


def backup_create(*, output_dir: Path | None = None) -> BackupResult:
    """Write the database and MEDIA_ROOT into one dated archive in `output_dir` (BACKUP_DIR).

    The archive is written under a temporary name and renamed when complete, so that a failed backup leaves no
    archive and the rotation never counts a half-written one. It holds personal data: readable by the owner only.
    """
    directory = Path(output_dir) if output_dir else backup_dir()
    directory.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Резервное копирование базы «{vendor}» не поддерживается.")
    if getattr(settings, "FILES_STORAGE", "local") != "local":
        # The files are in the object storage, not under MEDIA_ROOT: an archive without them would claim a whole
        # installation. Their copies are the storage's own (MinIO mirroring, a cloud's versioning).
        raise BackupError(
            "Файлы портала хранятся в объектном хранилище (FILES_STORAGE=s3): их резервные копии делаются средствами "
            "хранилища (зеркалирование MinIO, версии бакета). Копию базы данных сделайте командой pg_dump."
        )
    path = _archive_path(directory, now)
    partial = path.with_name(f".{path.name}.partial")
    media_root = Path(settings.MEDIA_ROOT)
    try:
        with tempfile.TemporaryDirectory(prefix="rmo-backup-") as tmp:
            dump = Path(tmp) / "dump"
            counts, migrations = _pg_dump(dump) if vendor == "postgresql" else _sqlite_dump(dump)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                database = _add_file(tar, dump, PG_DUMP if vendor == "postgresql" else SQLITE_COPY)
                files = []
                if media_root.is_dir():
                    for source in sorted(media_root.rglob("*")):
                        if source.is_file() and not source.is_symlink():
                            arcname = f"{MEDIA}/{source.relative_to(media_root).as_posix()}"
                            files.append(_add_file(tar, source, arcname))
                manifest = {
                    "format": FORMAT,
                    "created": timezone.localtime(now).isoformat(),
                    "portal": {"name": settings.PORTAL_NAME, "commit": _portal_commit()},
                    "database": {"vendor": vendor, **database},
                    "migrations": migrations,
                    "tables": counts,
                    "files": files,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(
        path=path, size=path.stat().st_size, vendor=vendor, tables=len(counts), rows=sum(counts.values()),
        files=len(files), files_size=sum(f["size"] for f in files),
    )  # fmt: skip


# --- Restore ---------------------------------------------------------------------------------------------------


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or "\\" in name or any(part in ("..", "") for part in path.parts):
        raise BackupError(f"Архив повреждён или небезопасен: недопустимое имя «{name}».")
    if path.parts[0] == MEDIA and len(path.parts) > 1:
        return path
    if name in (MANIFEST, PG_DUMP, SQLITE_COPY) or name in (MEDIA, "database"):
        return path
    raise BackupError(f"Архив повреждён или небезопасен: лишний файл «{name}».")


def _checked_members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """Every member, checked before anything is written: regular files and folders only, under known names."""
    members = {}
    for member in tar.getmembers():
        name = member.name.removeprefix("./").rstrip("/")
        _safe_name(name)
        if not (member.isfile() or member.isdir()):
            raise BackupError(f"Архив повреждён или небезопасен: «{member.name}» — ссылка или особый файл.")
        if member.isfile():
            members[name] = member
    return members


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, root: Path) -> str:
    """Write one member to `target`, which must lie inside `root`; returns its SHA-256."""
    root = root.resolve()
    if not target.resolve().is_relative_to(root):  # a symlinked folder already inside MEDIA_ROOT, for one
        raise BackupError(f"Файл «{member.name}» оказался бы вне {root}: восстановление остановлено.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(member)
    sha = hashlib.sha256()
    tmp = target.with_name(f".{target.name}.restoring")
    with tmp.open("wb") as out:
        while chunk := source.read(CHUNK):
            sha.update(chunk)
            out.write(chunk)
    os.replace(tmp, target)
    return sha.hexdigest()


def _file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _media_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []


def _pending_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def _open_archive(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r:gz")  # the caller closes it
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"Не удалось прочитать архив {archive.name}: {error}") from error


def backup_restore(*, archive: Path, force: bool = False) -> RestoreReport:
    """Bring an archive back into this installation, then check its rows and files against the manifest.

    Refuses an unsafe archive, one from another database vendor, and an installation that already holds data
    (rows beyond an empty migrated schema, or uploaded files) unless `force`.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"Нет файла архива {archive}.")
    with _open_archive(archive) as tar:
        members = _checked_members(tar)
        if MANIFEST not in members:
            raise BackupError("В архиве нет описи (manifest.json): это не резервная копия портала.")
        manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Архив другого формата ({manifest.get('format')}), ожидался {FORMAT}.")
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                f"Копия сделана с базы {vendor}, а портал настроен на {connection.vendor}: "
                "восстановите в базу того же вида."
            )
        media_root = Path(settings.MEDIA_ROOT)
        if not force:
            used = tables_with_data()
            if used:
                raise BackupError(
                    "В базе уже есть данные (таблицы: " + ", ".join(sorted(used)[:8]) + ("…" if len(used) > 8 else "")
                    + "). Восстановление заменит их; если это и нужно, повторите с --force."
                )  # fmt: skip
            if _media_files(media_root):
                raise BackupError(
                    f"В папке файлов {media_root} уже есть файлы. Восстанавливайте в пустую установку "
                    "или повторите с --force."
                )
        report = RestoreReport(vendor=vendor, created=manifest["created"])

        database_name = PG_DUMP if vendor == "postgresql" else SQLITE_COPY
        if database_name not in members:
            raise BackupError(f"В архиве нет базы данных ({database_name}).")
        with tempfile.TemporaryDirectory(prefix="rmo-restore-") as tmp:
            dump = Path(tmp) / "dump"
            sha = _extract(tar, members[database_name], dump, Path(tmp))
            if sha != manifest["database"]["sha256"]:
                raise BackupError("Файл базы данных в архиве повреждён (контрольная сумма не совпала).")
            _pg_restore(dump) if vendor == "postgresql" else _sqlite_restore(dump)

        media_root.mkdir(parents=True, exist_ok=True)
        for name, member in members.items():
            if name.startswith(f"{MEDIA}/"):
                _extract(tar, member, media_root / name.removeprefix(f"{MEDIA}/"), media_root)

    connections.close_all()
    counts = table_counts()
    for table, expected in manifest["tables"].items():
        found = counts.get(table)
        if found != expected:
            report.row_mismatches.append(f"{table}: в копии {expected}, восстановлено {found}")
    report.tables_checked = len(manifest["tables"])
    report.rows = sum(manifest["tables"].values())
    for entry in manifest["files"]:
        path = media_root / entry["path"].removeprefix(f"{MEDIA}/")
        if not path.is_file():
            report.file_mismatches.append(f"{entry['path']}: нет файла")
        elif path.stat().st_size != entry["size"] or _file_sha256(path) != entry["sha256"]:
            report.file_mismatches.append(f"{entry['path']}: содержимое не совпало")
    report.files_checked = len(manifest["files"])
    report.pending_migrations = _pending_migrations()
    # Whatever the cache held described the database before (the district's names, the years' shapes).
    from django.core.cache import cache

    cache.clear()
    return report
