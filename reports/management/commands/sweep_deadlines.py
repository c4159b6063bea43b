import datetime

from django.core.management.base import BaseCommand

from reports.deadlines import deadlines_sweep, summary_text


class Command(BaseCommand):
    help = "Пройти по срокам: обязательства объединений, их выполнение и напоминания (по умолчанию — на сегодня)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="ГГГГ-ММ-ДД")

    def handle(self, *args, today=None, **options):
        self.stdout.write(summary_text(deadlines_sweep(today=today)))
