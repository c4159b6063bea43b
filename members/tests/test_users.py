import pytest

from members.models import User
from members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_names_are_written_the_russian_way():
    user = UserFactory(username="e", last_name="Ёлкина", first_name="Анна", patronymic="Сергеевна")
    assert user.full_name == "Ёлкина Анна Сергеевна"
    assert str(user) == "Ёлкина Анна Сергеевна"
    # Initials never break from the surname at the end of a line.
    assert user.short_name == "Ёлкина\u00a0А.\u00a0С."


def test_a_user_without_a_patronymic_or_name_still_has_a_readable_name():
    assert UserFactory(username="x", last_name="Smith", first_name="John", patronymic="").short_name == "Smith\u00a0J."
    assert User(username="login-only").short_name == "login-only"


def test_role_column_refuses_unknown_roles():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="bad", role="superhero")
