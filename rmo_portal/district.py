"""The district's names as pages and documents show them: the District row (first-run setup, the admin), else the
environment's defaults. Read through the cache (one query when the cache is cold; the row's save clears it), so
the navbar and footer of every page cost nothing."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

CACHE_KEY = "district:names:v1"
# The zones of Russia, as a district's administrator knows them (the setup's menu and the model's choices).
TIME_ZONES = (
    ("Europe/Kaliningrad", "Калининград (МСК−1)"),
    ("Europe/Moscow", "Москва (МСК)"),
    ("Europe/Samara", "Самара (МСК+1)"),
    ("Asia/Yekaterinburg", "Екатеринбург (МСК+2)"),
    ("Asia/Omsk", "Омск (МСК+3)"),
    ("Asia/Novosibirsk", "Новосибирск (МСК+4)"),
    ("Asia/Krasnoyarsk", "Красноярск (МСК+4)"),
    ("Asia/Irkutsk", "Иркутск (МСК+5)"),
    ("Asia/Yakutsk", "Якутск (МСК+6)"),
    ("Asia/Vladivostok", "Владивосток (МСК+7)"),
    ("Asia/Magadan", "Магадан (МСК+8)"),
    ("Asia/Kamchatka", "Камчатка (МСК+9)"),
)


@dataclass(frozen=True)
class Names:
    portal_name: str
    name: str
    name_genitive: str
    organisation_name: str
    time_zone: str
    configured: bool  # the first-run setup was finished (or the demo district loaded)


def _defaults() -> Names:
    return Names(
        portal_name=settings.PORTAL_NAME, name=settings.DISTRICT_NAME, name_genitive=settings.DISTRICT_NAME,
        organisation_name=settings.ORGANISATION_NAME, time_zone=settings.TIME_ZONE, configured=False,
    )  # fmt: skip


NO_ROW = "no-district-row"  # cached when no District exists: the defaults are read from settings each time


def district() -> Names:
    """The names now in force (cached; the defaults follow the settings while no District row exists)."""
    names = cache.get(CACHE_KEY)
    if names is None:
        from .models import District

        row = District.objects.filter(pk=1).first()
        if row is None:
            names = NO_ROW
        else:
            names = Names(
                portal_name=row.portal_name, name=row.name, name_genitive=row.name_genitive,
                organisation_name=row.organisation_name, time_zone=row.time_zone,
                configured=row.setup_done_at is not None,
            )  # fmt: skip
        cache.set(CACHE_KEY, names, None)
    return _defaults() if names == NO_ROW else names


def district_forget() -> None:
    """Drop the cached names, and again after the commit (a request between the save and the commit may have
    cached the old row in the meantime)."""
    from django.db import transaction

    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def district_prime() -> None:
    """Cache the environment's defaults without asking the database: for a database known to hold no District
    row (the tests' fresh databases)."""
    cache.set(CACHE_KEY, NO_ROW, None)


def district_time_zone() -> str:
    """The district's time zone (one query when the cache is cold, as after the District's save; the cache is
    shared by web, worker and beat)."""
    return district().time_zone
