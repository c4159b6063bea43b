from django.core.management.base import BaseCommand

from associations.demo import ACCOUNTS, demo_seed


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
        extra = {k: v for k, v in counts.items() if k.startswith("demo:")}
        if extra:
            self.stdout.write("; ".join(f"{k.removeprefix('demo:')} {v}" for k, v in extra.items()))
        self.stdout.write("Демо-входы (имя пользователя / пароль):")
        for account in ACCOUNTS:
            self.stdout.write(f"  {account.role_label:<55} {account.username:<10} {account.password}")
