from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members import importer


class Command(BaseCommand):
    help = "Загрузить список педагогов из .xlsx или .csv; код выхода 1, если есть отклонённые строки."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="только проверить, ничего не записывать")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"Нет файла {file}")
        try:
            table = importer.read_table(path.name, path.read_bytes())
            plan = importer.plan_import(table)
        except importer.ImportFileError as error:
            raise CommandError(str(error)) from error
        if plan.error:
            raise CommandError(plan.error)
        for row in plan.rejected:
            self.stderr.write(f"строка {row.number}: {'; '.join(row.errors)}")
        if plan.new_schools:
            self.stdout.write("Новые ОО: " + "; ".join(plan.new_schools))
        if dry_run:
            counts = {"new": plan.count("new"), "updated": plan.count("update"), "rejected": plan.count("error")}
        else:
            plan, counts = importer.import_run(table)
        self.stdout.write(
            f"{'Проверка' if dry_run else 'Загрузка'}: новых {counts['new']}, обновлено {counts['updated']}, "
            f"без изменений {plan.count('same')}, повторов {plan.count('skip')}, отклонено {counts['rejected']}"
        )
        if counts["rejected"]:
            raise SystemExit(1)
