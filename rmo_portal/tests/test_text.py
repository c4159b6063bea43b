import datetime

import pytest
from django.template import Context, Template

from rmo_portal.search import fold
from rmo_portal.text import count_ru, date_ru, plural_ru

FORMS = "педагог,педагога,педагогов"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "педагог"), (2, "педагога"), (4, "педагога"), (5, "педагогов"), (11, "педагогов"), (12, "педагогов"),
     (14, "педагогов"), (21, "педагог"), (22, "педагога"), (25, "педагогов"), (101, "педагог"), (111, "педагогов"),
     (0, "педагогов")],
)  # fmt: skip
def test_plural_picks_the_russian_form(n, expected):
    assert plural_ru(n, FORMS) == expected


def test_count_and_template_filters_speak_russian():
    assert count_ru(3, ("объединение", "объединения", "объединений")) == "3 объединения"
    rendered = Template('{{ n|count:"педагог,педагога,педагогов" }}; {{ d|date_ru }}').render(
        Context({"n": 21, "d": datetime.date(2027, 6, 20)})
    )
    assert rendered == "21 педагог; 20 июня 2027 г."


def test_dates_are_written_with_the_genitive_month():
    assert date_ru(datetime.date(2027, 6, 10)) == "10 июня 2027 г."
    assert date_ru(datetime.date(2026, 9, 25)) == "25 сентября 2026 г."
    assert date_ru(None) == ""


def test_fold_equates_yo_and_case():
    assert fold("Ёлкина") == fold("елкина") == "елкина"
