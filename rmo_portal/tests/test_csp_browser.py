"""The Content-Security-Policy in a real Chromium: injected inline script does not run; the portal's pages and the
admin work under the policy without a single violation."""

import pytest
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import expect

from associations.models import Association
from members.tests.factories import portal_admin
from rmo_portal.tests.test_start_pages import PASSWORD, _people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects every violation the page reports, before any of its own scripts run (not subject to the page's CSP).
LISTEN = """document.addEventListener("securitypolicyviolation",
  (e) => (window.__violations = window.__violations || []).push(e.effectiveDirective + " " + e.blockedURI));"""


def _watch(page) -> list[str]:
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)
    return console


def _violations(page) -> list[str]:
    return page.evaluate("window.__violations || []")


@pytest.mark.urls("rmo_portal.tests.security_urls")
def test_an_injected_inline_script_does_not_run_and_is_reported(page, live_server):
    console = _watch(page)
    page.goto(f"{live_server.url}/test/injected/")
    expect(page.locator("#page")).to_have_text("Страница портала")
    assert page.evaluate("window.injected") is None
    assert _violations(page) == ["script-src-elem inline"]
    assert any("Content Security Policy" in text for text in console)


def test_the_admin_works_under_the_policy(page, live_server):
    portal_admin(username="admin")
    crontab = CrontabSchedule.objects.create(minute="5", hour="0")
    console = _watch(page)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Имя пользователя").fill("admin")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("#site-name")).to_contain_text("администрирование")
    page.goto(f"{live_server.url}/admin/members/user/")
    page.get_by_role("link", name="admin", exact=True).click()
    expect(page.locator("#id_username")).to_have_value("admin")
    assert _violations(page) == []
    # django-celery-beat's form: its inline script, moved to static/js/, still puts the crontab in words.
    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/add/")
    page.locator("#id_crontab").select_option(str(crontab.pk))
    expect(page.locator(".field-crontab .help")).to_contain_text("Словами: ")
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
    assert _violations(page) == []
    assert not any("Content Security Policy" in text for text in console)


def test_the_portals_own_pages_run_under_the_policy_without_a_violation(page, live_server):
    people = _people()
    association = Association.objects.get()
    console = _watch(page)
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Имя пользователя").fill(people["methodist"].username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).to_have_text("Рабочий стол методиста")
    expect(page.locator("progress.share-bar").first).to_be_visible()  # the shares, without an inline width
    page.goto(f"{live_server.url}{reverse('associations:order_create')}")
    page.locator("#id_kind").select_option("dissolve")  # static/js/order_form.js hides the fields of another kind
    expect(page.locator("#div_id_new_name")).to_be_hidden()
    page.goto(f"{live_server.url}{association.get_absolute_url()}")
    expect(page.locator("h1")).to_contain_text(association.name)
    assert _violations(page) == []
    assert not any("Content Security Policy" in text for text in console)
