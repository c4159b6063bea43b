"""Security answers of the portal: the CSP header on every page, Russian error pages, throttled password reset."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# What Django (or gunicorn) says in English when the portal's own page is missing.
ENGLISH = ("Forbidden", "CSRF verification failed", "DEBUG", "Bad Request", "Not Found", "Server Error", "Not Allowed")


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _russian_page(response, status: int, *phrases: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert '<html lang="ru">' in body
    for phrase in (*phrases, "На главную"):
        assert phrase in body
    for english in ENGLISH:
        assert english not in body
    return body


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split("; ")}


# --- Content-Security-Policy ------------------------------------------------------------------


def test_every_page_carries_a_csp_without_inline_script(client):
    policy = _policy(client.get(reverse("home")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert not any("'unsafe-" in source for sources in policy.values() for source in sources)


def test_error_pages_carry_the_csp_too(client):
    assert _policy(client.get("/no-such-page/"))["script-src"] == ["'self'"]


# --- error pages ------------------------------------------------------------------------------


def test_a_request_for_a_foreign_host_gets_a_russian_400(client):
    response = client.get(reverse("home"), HTTP_HOST="evil.example.org")
    _russian_page(response, 400, "Неправильный запрос")


def test_a_page_without_the_right_gets_a_russian_403(client):
    client.force_login(UserFactory())
    response = client.get(reverse("associations:order_list"))
    _russian_page(response, 403, "Нет доступа")


def test_a_form_without_a_csrf_token_gets_a_russian_403():
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "teacher", "password": "x"})
    _russian_page(response, 403, "Форма устарела", "обновите страницу")


def test_a_missing_page_gets_a_russian_404(client):
    _russian_page(client.get("/no-such-page/"), 404, "Страница не найдена")


def test_a_wrong_method_gets_a_russian_405_with_the_allowed_ones(client):
    response = client.get(reverse("logout"))  # log-out is POST only
    _russian_page(response, 405, "Действие недоступно")
    assert "POST" in response["Allow"]


def test_a_body_over_the_limit_gets_a_russian_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(reverse("login"), {"username": "я" * 1000, "password": "x"})
    _russian_page(response, 413, "Слишком большой запрос", "ничего не сохранено")


def test_an_over_long_address_gets_a_russian_414(client, settings):
    response = client.get(reverse("home"), {"q": "x" * settings.REQUEST_LINE_MAX})
    _russian_page(response, 414, "Слишком длинный адрес")
    assert client.get(reverse("home"), {"q": "x" * 100}).status_code == 200


@pytest.mark.urls("rmo_portal.tests.security_urls")
def test_a_crash_gets_the_russian_500_that_needs_no_inline_style():
    response = Client(raise_request_exception=False).get("/test/broken/")
    body = _russian_page(response, 500, "Что-то пошло не так")
    assert "style=" not in body and "<style" not in body and "<script" not in body


# --- password reset throttling ----------------------------------------------------------------


def test_eight_resets_for_one_address_send_three_letters_and_always_the_same_page(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    UserFactory(email="elkina@example.org")
    for n in range(8):
        response = client.post(
            reverse("password_reset"), {"email": "Elkina@example.org" if n % 2 else "elkina@example.org"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 3


def test_another_address_still_gets_its_letter(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    UserFactory(email="one@example.org")
    UserFactory(email="two@example.org")
    for email in ("one@example.org", "one@example.org", "two@example.org"):
        client.post(reverse("password_reset"), {"email": email})
    assert [m.to for m in mail.outbox] == [["one@example.org"], ["two@example.org"]]


def test_the_eleventh_reset_from_one_client_gets_a_russian_429(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 10
    UserFactory(email="elkina@example.org")
    for n in range(10):
        assert client.post(reverse("password_reset"), {"email": f"n{n}@example.org"}).status_code == 302
    response = client.post(reverse("password_reset"), {"email": "elkina@example.org"})
    _russian_page(response, 429, "Слишком много запросов", "Повторите через")
    assert int(response["Retry-After"]) > 0
    assert mail.outbox == []
    other = client.post(reverse("password_reset"), {"email": "elkina@example.org"}, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302
    assert len(mail.outbox) == 1
