from django.core.management.base import BaseCommand

from associations.demo import ACCOUNTS, DEMO_EXTENSIONS, demo_seed


class Command(BaseCommand):
    help = "Загрузить демонстрационный район (повторный запуск ничего не дублирует)."

    def handle(self, *args, **options):
        counts = demo_seed()
        self.stdout.write(
            self.style.SUCCESS(
                "Демо-район: положений {regulations}, организаций {schools}, педагогов {teachers}, "
                "объединений {associations}; новых пользователей {users_created}, "
                "новых членств {memberships_created}.".format(**counts)
            )
        )
        for extension in DEMO_EXTENSIONS:  # the demo of the apps above (meetings: the district's events)
            self.stdout.write(extension())
        self.stdout.write("Демо-входы (имя пользователя / пароль):")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.role_label:<55} {account.username:<10} {account.password}")
