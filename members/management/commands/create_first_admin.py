"""`manage.py create_first_admin`: the administrator of a new, empty installation (`./portal start --empty`), with a
random password printed once; does nothing when any account exists. ADMIN_USERNAME / ADMIN_PASSWORD / ADMIN_EMAIL
choose them instead."""

import os
import secrets

from django.core.management.base import BaseCommand

from members.models import Role, User


class Command(BaseCommand):
    help = "Создать первого администратора пустой установки (пароль печатается один раз)."

    def handle(self, *args, **options):
        if User.objects.exists():
            self.stdout.write("Учётные записи уже есть: администратор не создаётся.")
            return
        username = os.environ.get("ADMIN_USERNAME", "admin")
        password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user = User(username=username, email=os.environ.get("ADMIN_EMAIL", ""), last_name="Администратор",
                    first_name="Портала", role=Role.ADMIN, is_staff=True, is_superuser=True)  # fmt: skip
        user.refresh_sort_key()
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"Администратор: {username} / {password}"))
        self.stdout.write("Запишите пароль: он больше не будет показан. Первый вход откроет настройку района.")
