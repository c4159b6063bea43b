import datetime

from django.core.management.base import BaseCommand

from reports.services import filings_publish_due


class Command(BaseCommand):
    help = "Опубликовать принятые документы, день публикации которых наступил (по умолчанию — на сегодня)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="ГГГГ-ММ-ДД")

    def handle(self, *args, date=None, **options):
        self.stdout.write(f"Опубликовано документов: {filings_publish_due(today=date)}")
