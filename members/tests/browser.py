"""Helpers of the browser tests."""

from django.urls import reverse

PASSWORD = "пароль-для-тестов-1"


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()


def log_out(page) -> None:
    toggler = page.get_by_label("Показать меню")
    if toggler.is_visible():  # below 1400 px the menu is folded behind the toggler
        toggler.click()
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Выйти").click()
