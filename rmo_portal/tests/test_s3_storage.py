"""Uploaded files on S3-compatible object storage (FILES_STORAGE=s3): the files module over HTTP, against a real
S3 server started here (moto's server mode: what MinIO or a cloud would answer, with no binary to download).

moto[server] is in requirements-dev.txt: without it these tests skip on a laptop and fail in CI (REQUIRE_SERVICES=1).
"""

import datetime
import io
import json
import os
import socket
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from conftest import service_missing
from members import services as member_services
from members.models import TrainingCourse
from members.tests.factories import TeacherFactory, UserFactory, methodist
from rmo_portal import exports, files
from rmo_portal.models import ExportJob, StoredFile

pytestmark = [pytest.mark.django_db, pytest.mark.services]

BUCKET = "rmo-test"
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n" + bytes(range(256)) * 64  # every byte value, 16 KB


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a free local port, for the whole session: its endpoint URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        service_missing("moto[server] is not installed (pip install -r requirements-dev.txt)")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3_default_storage(s3_server) -> dict:
    """STORAGES["default"] as settings.py makes it from the environment for FILES_STORAGE=s3 (read in a fresh
    process, since settings are read once)."""
    env = {
        **os.environ,
        "FILES_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_server,
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "DJANGO_SETTINGS_MODULE": "rmo_portal.settings",
    }
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default']))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_s3_settings_come_from_the_environment(s3_default_storage, s3_server):
    assert s3_default_storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": s3_server,
            "access_key": "test",
            "secret_key": "test",
            "region_name": "us-east-1",
            "addressing_style": "path",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "max_memory_size": django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }


@pytest.fixture
def bucket(s3_server, s3_default_storage):
    """An empty private bucket, and the portal's default storage pointed at it as settings.py does for s3."""
    import boto3

    client = boto3.client(
        "s3", endpoint_url=s3_server, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket=BUCKET)
    storages = {**django_settings.STORAGES, "default": s3_default_storage}
    with override_settings(STORAGES=storages):
        assert StoredFile._meta.get_field("file").storage.bucket_name == BUCKET  # the lazy default, now S3
        yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    if listed:
        client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": o["Key"]} for o in listed]})
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> set[str]:
    return {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def _body(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def _course(teacher, certificate) -> TrainingCourse:
    """A course with its certificate: a teacher's scan, served by members:teacher_file."""
    return TrainingCourse.objects.create(
        teacher=teacher, start_date=datetime.date(2025, 10, 1), end_date=datetime.date(2025, 10, 12),
        provider="ИРО", topic="Грамотность", hours=72, certificate=certificate,
    )  # fmt: skip


def test_an_accepted_upload_is_stored_in_the_bucket_read_back_and_served_to_the_allowed_only(bucket, client):
    teacher = TeacherFactory(user=UserFactory(username="t", last_name="Громова"))
    stored = files.stored_file_create(upload=SimpleUploadedFile("Удостоверение.PDF", PDF), use="evidence")
    assert _keys(bucket) == {stored.file.name}
    assert stored.file.name.startswith("files/") and "Удостоверение" not in stored.file.name  # unguessable
    assert _body(bucket, stored.file.name) == PDF
    assert files.read_bytes(StoredFile.objects.get(pk=stored.pk)) == PDF
    # Private: the object has no public grant, and its link (never shown by the portal) is signed.
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=stored.file.name)["Grants"]
    assert not any(g["Grantee"].get("URI", "").endswith("/AllUsers") for g in grants)
    assert "Signature=" in stored.file.url or "X-Amz-Signature=" in stored.file.url

    course = _course(teacher, stored)
    url = reverse("members:teacher_file", args=[teacher.pk, "course", course.pk])
    client.force_login(methodist(username="m"))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    client.force_login(TeacherFactory(user=UserFactory(username="other")).user)
    assert client.get(url).status_code == 404  # out of the teacher's scope

    with pytest.raises(ValidationError):  # a refused upload stores nothing
        files.stored_file_create(upload=SimpleUploadedFile("скан.pdf", b"MZ\x90\x00" + bytes(64)), use="evidence")
    assert _keys(bucket) == {stored.file.name}


def test_a_deleted_file_leaves_the_bucket_when_the_transaction_commits(bucket, django_capture_on_commit_callbacks):
    stored = files.stored_file_create(upload=SimpleUploadedFile("скан.pdf", PDF), use="evidence")
    name = stored.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        files.stored_file_delete(stored)
    assert _keys(bucket) == {name}  # not before the commit
    for callback in callbacks:
        callback()
    assert _keys(bucket) == set()
    assert not default_storage.exists(name)


def test_a_file_gone_from_the_bucket_is_a_404_not_an_error(bucket, client):
    teacher = TeacherFactory(user=UserFactory(username="t"))
    stored = files.stored_file_create(upload=SimpleUploadedFile("скан.pdf", PDF), use="evidence")
    course = _course(teacher, stored)
    bucket.delete_object(Bucket=BUCKET, Key=stored.file.name)
    client.force_login(methodist(username="m"))
    assert client.get(reverse("members:teacher_file", args=[teacher.pk, "course", course.pk])).status_code == 404


def test_an_export_is_written_to_the_bucket_served_to_its_owner_and_purged(
    client, bucket, django_capture_on_commit_callbacks
):
    TeacherFactory(user=UserFactory(username="t", last_name="Ёлкина"))
    client.force_login(methodist(username="m"))
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("members:teacher_export"))
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    key = job.result.file.name
    assert _keys(bucket) == {key}
    download = client.get(reverse("export_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert content == _body(bucket, key)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[1][0].startswith("Ёлкина")
    client.force_login(methodist(username="other"))
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404

    later = NOW + exports.keep_for() + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert exports.export_jobs_purge() == 1
    assert _keys(bucket) == set()


def test_erasure_removes_the_teachers_scans_from_the_bucket(bucket, django_capture_on_commit_callbacks):
    teacher = TeacherFactory(user=UserFactory(username="t", last_name="Громова"))
    _course(teacher, files.stored_file_from_bytes(name="удостоверение.pdf", content=PDF, use="evidence"))
    kept = files.stored_file_from_bytes(name="положение.pdf", content=PDF, use="document")  # someone else's
    assert len(_keys(bucket)) == 2
    with time_machine.travel(NOW, tick=False):
        member_services.consent_withdraw(user=teacher.user)
    later = NOW + datetime.timedelta(days=django_settings.CONSENT_WITHDRAWAL_ERASE_DAYS, hours=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert len(member_services.personal_data_erase_due()) == 1
    assert _keys(bucket) == {kept.file.name}
