"""Pages of the district's events: the list and its filters, the month, the public page and names on it."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations.tests.factories import AssociationFactory, leader_of
from meetings.event_services import ParticipantInput, event_participants_save
from meetings.models import Event, EventParticipant
from meetings.tests.factories import EventFactory
from members.models import Consent
from members.tests.factories import SubjectFactory, TeacherFactory, UserFactory, methodist

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    """2 December 2026, in the district."""
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow")), tick=False):
        yield


def page(client, name, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


def test_list_filters_by_kind_organiser_subject_and_period(client):
    association = AssociationFactory(name="РМО учителей математики")
    maths = SubjectFactory(name="Математика")
    seminar = EventFactory(title="Семинар по задачам", subject=maths, starts_on=datetime.date(2026, 12, 10))
    seminar.organisers.add(association)
    EventFactory(title="Турнир знатоков", kind=Event.Kind.OLYMPIAD_DISTRICT, starts_on=datetime.date(2027, 2, 1))
    EventFactory(title="Чтения весной", kind=Event.Kind.READINGS, starts_on=datetime.date(2027, 4, 1),
                 ends_on=datetime.date(2027, 4, 3))  # fmt: skip
    assert "Турнир знатоков" in page(client, "meetings:event_list", kind="olympiad_district")
    assert "Семинар по задачам" not in page(client, "meetings:event_list", kind="olympiad_district")
    by_organiser = page(client, "meetings:event_list", association=association.pk)
    assert "Семинар по задачам" in by_organiser and "Турнир знатоков" not in by_organiser
    assert "Турнир знатоков" not in page(client, "meetings:event_list", subject=maths.pk)
    spring = page(client, "meetings:event_list", date_from="2027-04-02", date_to="2027-05-01")
    assert "Чтения весной" in spring and "Турнир знатоков" not in spring


def test_public_list_hides_unpublished_events_but_organisers_see_theirs(client):
    association = AssociationFactory()
    draft = EventFactory(title="Черновик семинара", published=False)
    draft.organisers.add(association)
    EventFactory(title="Открытый семинар")
    public = page(client, "meetings:event_list")
    assert "Открытый семинар" in public and "Черновик семинара" not in public
    assert "Черновик семинара" not in page(client, "meetings:event_month", month="2026-12")
    client.force_login(leader_of(association, user__username="leader"))
    assert "Черновик семинара" in page(client, "meetings:event_list")
    client.force_login(UserFactory(username="stranger"))
    assert "Черновик семинара" not in page(client, "meetings:event_list")


def test_anonymous_visitor_of_an_unpublished_event_is_asked_to_log_in(client):
    draft = EventFactory(published=False)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_month_shows_each_day_of_a_long_event_and_links_the_neighbours(client):
    EventFactory(title="Курсовая неделя", starts_on=datetime.date(2026, 12, 28), ends_on=datetime.date(2027, 1, 2))
    december = page(client, "meetings:event_month", month="2026-12")
    assert "декабрь 2026" in december.lower()
    assert "?month=2026-11" in december and "?month=2027-01" in december
    # The grid (wide screens) and the list of days (phones) both carry it: 28–31 December, and 1–2 January in the grid.
    assert december.count("Курсовая неделя") == 6 + 4
    assert "28 декабря 2026" in december  # the phone's list names the days
    assert "Курсовая неделя" in page(client, "meetings:event_month", month="2027-01")
    assert "этом месяце мероприятий нет" in page(client, "meetings:event_month", month="2027-06")
    assert "декабрь 2026" in page(client, "meetings:event_month", month="bad").lower()  # today's month


def test_public_page_names_only_teachers_who_allowed_publication(client):
    consented = TeacherFactory(user=UserFactory(username="a", last_name="Открытова", first_name="Анна"))
    Consent.objects.filter(user=consented.user).update(publish_allowed=True)
    TeacherFactory(user=UserFactory(username="b", last_name="Скрытова", first_name="Белла"))
    event = EventFactory(by_service=True)
    organiser = methodist(username="m")
    event_participants_save(
        event=event, by=organiser,
        rows=[ParticipantInput(name="Открытова Анна Петровна", result="winner"),
              ParticipantInput(name="Скрытова Белла Петровна", result="prize"),
              ParticipantInput(name="Гостева Вера", organisation="Гимназия")],
    )  # fmt: skip
    public = page(client, "meetings:event_detail", event.pk)
    assert "Открытова Анна Петровна" in public
    assert "Скрытова" not in public and "Гостева" not in public
    assert public.count("участник (ФИО не публикуется)") == 2
    client.force_login(organiser)
    inside = page(client, "meetings:event_detail", event.pk)
    assert "Скрытова Белла Петровна" in inside and "Гостева Вера" in inside


def test_list_runs_the_same_queries_for_3_or_30_events(client, django_assert_max_num_queries):
    association = AssociationFactory()
    client.force_login(leader_of(association, user__username="leader"))

    def make(n):
        for i in range(n):
            EventFactory(subject=SubjectFactory(name=f"Предмет {i % 4}")).organisers.add(association)

    make(3)
    with django_assert_max_num_queries(25) as small:
        page(client, "meetings:event_list")
    make(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page(client, "meetings:event_list")


def test_organiser_saves_the_list_on_one_page_and_sees_unmatched_names(client):
    association = AssociationFactory()
    leader = leader_of(association, user__username="leader")
    TeacherFactory(user=UserFactory(username="e", last_name="Ёлкина", first_name="Анна", patronymic="Сергеевна"))
    event = EventFactory(published=False)
    event.organisers.add(association)
    client.force_login(leader)
    url = reverse("meetings:event_participants", args=[event.pk])
    assert "Ёлкина Анна Сергеевна" in page(client, "meetings:event_participants", event.pk)  # the suggestions
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0",
            "form-0-name": "елкина анна сергеевна", "form-0-result": "winner",
            "form-1-name": "Гостева Вера", "form-1-organisation": "Гимназия",
            "form-1-result": "participant"}  # fmt: skip
    response = client.post(url, data, follow=True)
    text = response.content.decode()
    assert "добавлено 2" in text and "Не найдены в базе педагогов" in text and "Гостева Вера" in text
    assert EventParticipant.objects.get(teacher__isnull=False).achievement.result == "победитель"


def test_organiser_imports_a_list_and_uploads_a_material(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    event = EventFactory(by_service=True)
    client.force_login(methodist(username="m"))
    csv = SimpleUploadedFile("itogi.csv", "ФИО;Организация;Результат\nГостева Вера;Гимназия;призёр\n".encode())
    response = client.post(reverse("meetings:event_participants_import", args=[event.pk]), {"file": csv})
    assert response.status_code == 200 and "Гостева Вера" in response.content.decode()
    pdf = SimpleUploadedFile("programma.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    response = client.post(reverse("meetings:event_material_add", args=[event.pk]), {"title": "Программа", "file": pdf})
    assert response.status_code == 302
    material = event.materials.get()
    client.logout()
    download = client.get(reverse("meetings:event_material", args=[event.pk, material.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    b"".join(download.streaming_content)


def test_seed_demo_gives_the_olympiad_winners_on_their_profiles(capsys):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")  # twice: nothing doubles
    olympiad = Event.objects.get(kind=Event.Kind.OLYMPIAD_DISTRICT)
    results = dict(olympiad.participants.filter(teacher__isnull=False).values_list("teacher__user__username", "result"))
    assert results["leader"] == "winner" and results["teacher"] == "prize"
    assert olympiad.participants.filter(teacher__isnull=True).count() == 1
    assert olympiad.participants.get(teacher__user__username="leader").achievement.result == "победитель"
    assert "новых мероприятий 0" in capsys.readouterr().out
