"""Background work of the teacher database: imports, the deletion of uploaded lists, erasure after withdrawal."""

from celery import shared_task

from . import services


@shared_task
def import_read(job_id: int) -> str:
    """Read and judge an uploaded list; the preview is kept on the job."""
    return services.import_job_read(job_id=job_id)


@shared_task
def import_apply(job_id: int) -> str:
    """Write a confirmed list, then delete the uploaded file."""
    return services.import_job_apply(job_id=job_id)


@shared_task
def purge_import_files() -> int:
    """Delete uploaded lists that were never confirmed within IMPORT_FILE_KEEP_HOURS."""
    return services.import_files_purge()


@shared_task
def erase_withdrawn() -> int:
    """Erase the personal data of those whose consent was withdrawn CONSENT_WITHDRAWAL_ERASE_DAYS ago."""
    return len(services.personal_data_erase_due())


@shared_task
def invitations_send(invitation_ids: list[int]) -> dict:
    """Send one batch of invitation letters; a refused letter is recorded on its row, the others go."""
    from .invitations import invitations_send as send

    return send(invitation_ids=invitation_ids)
