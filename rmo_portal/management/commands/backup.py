from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rmo_portal.backup import BackupError, backup_create
from rmo_portal.text import count_ru


class Command(BaseCommand):
    help = "Резервная копия: база данных и загруженные файлы в одном архиве с датой (по умолчанию в BACKUP_DIR)"

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="DIR", help="папка для архива; по умолчанию BACKUP_DIR")

    def handle(self, *args, output=None, **options):
        try:
            result = backup_create(output_dir=Path(output) if output else None)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Резервная копия готова: {result.path}\n"
            f"  размер архива: {megabytes(result.size)}\n"
            f"  база данных ({result.vendor}): {count_ru(result.tables, 'таблица,таблицы,таблиц')}, "
            f"{count_ru(result.rows, 'строка,строки,строк')}\n"
            f"  файлы: {count_ru(result.files, 'файл,файла,файлов')}, {megabytes(result.files_size)}"
        )


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} МБ".replace(".", ",")
