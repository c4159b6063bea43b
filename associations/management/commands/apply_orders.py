import datetime

from django.core.management.base import BaseCommand

from associations.services import orders_apply_due


class Command(BaseCommand):
    help = "Применить подписанные приказы, срок вступления которых наступил (по умолчанию — на сегодня)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="ГГГГ-ММ-ДД")

    def handle(self, *args, date=None, **options):
        self.stdout.write(f"Применено приказов: {orders_apply_due(today=date)}")
