"""`manage.py create_first_admin`: the first administrator of an empty installation, once."""

import pytest
from django.core.management import call_command

from members.models import Role, User

pytestmark = pytest.mark.django_db


def test_the_first_administrator_is_made_once_with_a_printed_password(capsys, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    call_command("create_first_admin")
    out = capsys.readouterr().out
    user = User.objects.get()
    password = out.split("Администратор: admin / ", 1)[1].split()[0]
    assert user.role == Role.ADMIN and user.is_superuser and user.check_password(password) and len(password) >= 12
    call_command("create_first_admin")
    assert "уже есть" in capsys.readouterr().out and User.objects.count() == 1
