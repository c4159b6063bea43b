"""A list of N new teachers as a district sends it, for timing `manage.py import_teachers` (issue 9).

    .venv/bin/python bench/import_file.py var/bench-import-3000.xlsx --rows 3000

Names never met in `seed_large_district` (its surnames carry a number, these a letter suffix), so every row is
new; schools are the seeded ones plus a few new; subjects and categories vary. The same seed gives the same file.
"""

import argparse
import random
from pathlib import Path

from openpyxl import Workbook

SURNAMES = [
    "Белова",
    "Громова",
    "Зайцева",
    "Комарова",
    "Лебедева",
    "Морозова",
    "Новикова",
    "Орлова",
    "Щукина",
    "Ёжикова",
]
FIRST = ["Анна", "Вера", "Дарья", "Ксения", "Мария", "Светлана", "Юлия", "Алёна"]
PATRONYMIC = ["Андреевна", "Борисовна", "Ильинична", "Олеговна", "Юрьевна", "Фёдоровна"]
CATEGORIES = ["Высшая", "первая", "1 категория", "СЗД", "без категории", ""]
SUBJECTS = ["Русский язык", "Математика", "Физика", "Химия", "Биология", "История", "Предмет 3", "Предмет 7"]
HEADER = [
    "№ п/п", "Ф.И.О.", "Образовательное учреждение", "Должность", "Преподаваемый предмет",
    "Квалификационная категория", "Дата последней аттестации", "Педагогический стаж", "Телефон", "E-mail",
]  # fmt: skip


def _suffix(n: int) -> str:
    """A letter tag for the n-th person: а, б, …, аа, аб… — never a digit, so never a seeded surname."""
    letters = "абвгдежзиклмнопрстуфхцчшэюя"
    text = ""
    n += 1
    while n:
        n, r = divmod(n - 1, len(letters))
        text = letters[r] + text
    return text


def build(rows: int, *, seed: int = 9) -> Workbook:
    rng = random.Random(seed)
    book = Workbook()
    sheet = book.active
    sheet.append(["Список педагогов большого района (замер загрузки)"])
    sheet.append(HEADER)
    for n in range(rows):
        subjects = ", ".join(rng.sample(SUBJECTS, rng.randint(1, 2)))
        school = (
            f"МБОУ «Школа № {rng.randint(1, 80)} большого района»" if n % 100 else f"МБОУ «Новая школа № {n // 100}»"
        )
        sheet.append([
            n + 1,
            f"{rng.choice(SURNAMES)}-{_suffix(n)} {rng.choice(FIRST)} {rng.choice(PATRONYMIC)}",
            school,
            "учитель",
            subjects,
            rng.choice(CATEGORIES),
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(2019, 2025)}",
            rng.randint(0, 40),
            f"+7 900 {rng.randint(0, 9999999):07d}",
            f"t{n}@example.org",
        ])  # fmt: skip
    return book


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    args.file.parent.mkdir(parents=True, exist_ok=True)
    build(args.rows, seed=args.seed).save(args.file)
    print(f"{args.file}: {args.rows} строк")


if __name__ == "__main__":
    main()
