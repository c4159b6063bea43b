from pathlib import Path

from django.core.management.base import BaseCommand

from members.models import Teacher
from members.schedules import EXPORT_HEADERS, export_rows
from rmo_portal import calendar
from rmo_portal.excel import xlsx_bytes


class Command(BaseCommand):
    help = "Выгрузить базу педагогов в .xlsx (столбцы п. 9.5 положения Вилюйского УМО)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        teachers = Teacher.objects.for_export().ordered()
        content = xlsx_bytes(title="Педагоги", headers=EXPORT_HEADERS, rows=export_rows(teachers, on=calendar.today()))
        Path(file).write_bytes(content)
        self.stdout.write(f"Выгружено педагогов: {teachers.count()} → {file}")
