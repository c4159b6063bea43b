"""Russian text helpers: plurals and dates as the district's papers write them."""

import datetime

from django.utils import formats, timezone


def plural_ru(n: int, forms: str | tuple[str, str, str]) -> str:
    """The form of a noun after the number n: «1 педагог, 2 педагога, 5 педагогов».

    `forms` is (one, few, many), or the same as one string separated by commas.
    """
    one, few, many = forms.split(",") if isinstance(forms, str) else forms
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one.strip()
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few.strip()
    return many.strip()


def number_ru(n: int) -> str:
    """Thousands apart, as Russian text writes them: «10 000» (a non-breaking space)."""
    return f"{n:,}".replace(",", "\u00a0")


def count_ru(n: int, forms: str | tuple[str, str, str]) -> str:
    """The number with its noun: «21 педагог», «3 объединения», «10 000 строк»."""
    return f"{number_ru(n)} {plural_ru(n, forms)}"


def date_ru(value: datetime.date | None) -> str:
    """«20 июня 2027 г.» (LANGUAGE_CODE = "ru" gives the genitive month)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # the district's day, not UTC's
    return formats.date_format(value, "DATE_FORMAT")
