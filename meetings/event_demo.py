"""The demo district's events: a seminar, an open lesson, a contest, the municipal stage of a professional
olympiad with winners and prize-winners among the demo teachers. Run by `manage.py seed_demo` (through the demo
registry of associations.demo); running it again changes nothing."""

import datetime

from django.db import transaction

from associations.models import Association
from members.models import Subject, User
from rmo_portal.files import stored_file_from_bytes

from .event_services import ParticipantInput, event_participants_save
from .models import Event, EventMaterial, EventParticipant

RUSSIAN = "РМО учителей русского языка и литературы"
MATHS = "РМО учителей математики"
PRIMARY = "РМО учителей начальных классов"

# (kind, title, starts_on, ends_on, place, organisers, by the service, subject, published, description)
EVENTS = [
    (Event.Kind.SEMINAR, "Функциональная грамотность на уроках математики: задания PISA в 5–9 классах",
     datetime.date(2026, 10, 21), None, "МБОУ «Лицей г. Печоры», актовый зал", [MATHS], False, "Математика", True,
     "Практический семинар: разбор заданий, обмен опытом, подготовка банка задач для РМО."),
    (Event.Kind.OLYMPIAD_DISTRICT,
     "Муниципальный этап олимпиады профессионального мастерства педагогов по русскому языку и литературе",
     datetime.date(2026, 11, 18), datetime.date(2026, 11, 19), "Районный методический центр", [RUSSIAN], True,
     "Русский язык и литература", True,
     "Письменный тур (18 ноября) и защита методической разработки (19 ноября)."),
    (Event.Kind.OPEN_LESSON, "Открытый урок «Звуки и буквы» (1 класс, УМК «Школа России»)",
     datetime.date(2026, 12, 9), None, "МБОУ «СОШ № 2 г. Печоры», каб. 105", [PRIMARY], False,
     "Начальное общее образование", True, ""),
    (Event.Kind.CONTEST, "Муниципальный конкурс профессионального мастерства «Учитель года — 2027»",
     datetime.date(2027, 2, 10), datetime.date(2027, 2, 12), "Районный Дом культуры", [], True, None, True,
     "Заявки — до 25 января 2027 г. Положение о конкурсе — в материалах."),
    (Event.Kind.READINGS, "Педагогические чтения «Наставничество в школе: опыт района»",
     datetime.date(2027, 3, 25), None, "Районный методический центр", [RUSSIAN, PRIMARY], True, None, False,
     "Программа уточняется."),
]  # fmt: skip

# The olympiad's results: demo usernames (members of the Russian language association) and their places.
OLYMPIAD_RESULTS = [
    ("leader", EventParticipant.Result.WINNER),
    ("teacher", EventParticipant.Result.PRIZE),
    ("teacher05", EventParticipant.Result.PRIZE),
    ("teacher10", EventParticipant.Result.PARTICIPANT),
    ("teacher15", EventParticipant.Result.PARTICIPANT),
]
# Someone outside the database: kept as a name, no profile to put the result on.
GUEST = ("Рябова Ирина Олеговна", "МБОУ «Псковская гимназия»", EventParticipant.Result.PARTICIPANT)

PROGRAMME = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@transaction.atomic
def seed_events() -> dict:
    """Create the demo events that are missing; their count for the command's output."""
    methodist = User.objects.filter(username="methodist").first()
    associations = {a.name: a for a in Association.objects.all()}
    created = 0
    for kind, title, starts_on, ends_on, place, organisers, by_service, subject, published, text in EVENTS:
        event, is_new = Event.objects.get_or_create(
            title=title,
            defaults={
                "kind": kind, "starts_on": starts_on, "ends_on": ends_on, "place": place, "by_service": by_service,
                "subject": Subject.objects.filter(name=subject).first() if subject else None,
                "published": published, "description": text, "created_by": methodist,
            },
        )  # fmt: skip
        if not is_new:
            continue
        created += 1
        event.organisers.set([associations[name] for name in organisers if name in associations])
        if kind == Event.Kind.OLYMPIAD_DISTRICT:
            rows = [
                ParticipantInput(name=user.full_name, result=result)
                for username, result in OLYMPIAD_RESULTS
                if (user := User.objects.filter(username=username).first())
            ]
            rows.append(ParticipantInput(name=GUEST[0], organisation=GUEST[1], result=GUEST[2]))
            event_participants_save(event=event, rows=rows, by=methodist)
        if kind == Event.Kind.CONTEST:
            stored = stored_file_from_bytes(name="polozhenie-uchitel-goda-2027.pdf", content=PROGRAMME, use="document")
            EventMaterial.objects.create(event=event, file=stored, title="Положение о конкурсе")
    return {"demo:новых мероприятий": created}
