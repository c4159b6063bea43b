from django.core.management.base import BaseCommand, CommandError

from rmo_portal.celery import app


class Command(BaseCommand):
    help = "Выполнить фоновую задачу Celery здесь и сейчас, без брокера: manage.py runtask rmo_portal.tasks.heartbeat"

    def add_arguments(self, parser):
        parser.add_argument("task", nargs="?", help="полное имя задачи; без него — список задач")
        parser.add_argument("task_args", nargs="*", metavar="args", help="аргументы задачи")

    def handle(self, *args, task=None, **options):
        app.loader.import_default_modules()
        names = sorted(n for n in app.tasks if not n.startswith("celery."))
        if not task:
            self.stdout.write("\n".join(names))
            return
        if task not in app.tasks:
            raise CommandError(f"Нет задачи «{task}». Есть: {', '.join(names)}")
        result = app.tasks[task].apply(args=options["task_args"] or ())
        if result.failed():
            raise CommandError(f"Задача «{task}» завершилась ошибкой: {result.result!r}")
        self.stdout.write(f"{task}: {result.result}")
