import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rmo_portal.backup import BackupError, backup_restore
from rmo_portal.text import count_ru, date_ru


class Command(BaseCommand):
    help = (
        "Восстановить резервную копию (manage.py backup) в пустую установку: базу данных, затем файлы; "
        "затем сверить строки и контрольные суммы с описью архива"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="архив rmo-backup-….tar.gz")
        parser.add_argument(
            "--force", action="store_true", help="восстановить, даже если в базе или в папке файлов уже есть данные"
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            report = backup_restore(archive=Path(archive), force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        created = datetime.datetime.fromisoformat(report.created)
        self.stdout.write(
            f"Восстановлена копия от {date_ru(created.date())} {created:%H:%M} ({report.vendor}).\n"
            f"  проверено: {count_ru(report.tables_checked, 'таблица,таблицы,таблиц')}, "
            f"{count_ru(report.rows, 'строка,строки,строк')}; "
            f"{count_ru(report.files_checked, 'файл,файла,файлов')}"
        )
        for line in report.row_mismatches + report.file_mismatches:
            self.stderr.write(f"  расхождение: {line}")
        if report.pending_migrations:
            self.stdout.write(
                f"  Копия сделана более старой версией портала: выполните manage.py migrate "
                f"({count_ru(len(report.pending_migrations), 'миграция,миграции,миграций')} не применено)."
            )
        if not report.ok:
            raise CommandError("Восстановленное не совпало с описью архива (см. расхождения выше).")
        self.stdout.write("  Все строки и все файлы на месте.")
