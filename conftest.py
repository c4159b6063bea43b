"""Fixtures shared by every app's tests: services at hand, the browser, log-in helpers."""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must allow the ORM there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require_services() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")


def service_missing(reason: str) -> None:
    """A missing service skips the test on a laptop and fails it in CI (REQUIRE_SERVICES=1)."""
    if require_services():
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1: a missing service is a failure)")
    pytest.skip(reason)


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis for tests: REDIS_TEST_URL, else the machine's 127.0.0.1:6379, on a database of its own."""
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")
    if not _reachable(url):
        service_missing(f"Redis is not reachable at {url}")
    return url


@pytest.fixture(scope="session", autouse=True)
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL, make sure the ICU ru-RU template the test database is copied from exists."""
    from rmo_portal.db import ensure_icu_template

    ensure_icu_template()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        service_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ru-RU", "timezone_id": "Europe/Moscow"}


@pytest.fixture
def login(client):
    """Log a user in on the test client: login(user) → client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (a per-process memory cache under TESTING), so that throttle
    counters of one test never reach another, in any order."""
    from django.core.cache import cache

    from rmo_portal.district import district_prime

    cache.clear()
    # The district's names, as a running portal holds them after its first page: every test's database starts
    # without a District row, so they are the environment's defaults (a District saved in a test clears them).
    district_prime()


def _flushes_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker:
        transaction = marker.kwargs.get("transaction", marker.args[:1] == (True,))
        if transaction or marker.kwargs.get("reset_sequences"):
            return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that flush the database (transaction=True, live_server: the browser tests) run after all the others,
    in their shuffled order. pytest-django puts them last, as Django does, but pytest then groups the tests of the
    browser's session fixture and pulls them forward; their flush takes the rows the migrations made (the consent
    document, the regulation presets) from every test after them, so a test passed or failed by its place."""
    items.sort(key=_flushes_the_database)
