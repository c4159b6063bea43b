"""Time the full Excel export of every teacher as a worker makes it, and the memory it takes (issue 9).

    python bench/export_speed.py OUT.json     (DATABASE_URL etc. as for manage.py; bench/run calls it)

Runs rmo_portal.exports.export_job_run in this process, as the Celery task does (a worker process is this one
plus Celery's own few MB): a methodist's job of kind "teachers" with no filter. Writes seconds, rows, file size,
peak RSS and RSS after, and prints them.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rmo_portal.settings")


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


def main(out: Path) -> None:
    import django

    django.setup()
    from members.models import Role, Teacher, User
    from rmo_portal.exports import export_job_run
    from rmo_portal.models import ExportJob

    owner = User.objects.filter(role=Role.METHODIST, username="methodist").first()
    owner = owner or User.objects.filter(role=Role.METHODIST).first()
    rows = Teacher.objects.count()
    before = rss_mb()
    job = ExportJob.objects.create(owner=owner, kind="teachers", title="bench: база педагогов", params={})
    started = time.perf_counter()
    status = export_job_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    result = {
        "status": status,
        "rows": rows,
        "seconds": round(seconds, 1),
        "bytes": job.result.size if job.result_id else None,
        "rss_before_mb": round(before),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_after_mb": round(rss_mb()),
    }
    out.write_text(json.dumps(result))
    print(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
