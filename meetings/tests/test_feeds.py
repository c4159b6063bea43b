"""The personal iCalendar feed: what it lists, how it is written (RFC 5545), and its secret, renewable address."""

import datetime
import sys
import types

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from associations.tests.factories import AssociationFactory, MembershipFactory
from meetings.feeds import calendar_feed_renew, calendar_text, escape_text, fold
from meetings.models import CalendarFeed, Meeting
from meetings.tests.factories import EventFactory, MeetingFactory
from members.tests.factories import UserFactory, give_consent
from rmo_portal.calendar import academic_year_of
from rmo_portal.district import district

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def local(*args) -> datetime.datetime:
    """A moment in the district's time (Europe/Moscow in the tests: UTC+3)."""
    return timezone.make_aware(datetime.datetime(*args))


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
        else:
            out.append(ch)
    return "".join(out)


def parse(text: str) -> tuple[dict, list[dict]]:
    """A strict reading of the feed: CRLF only, lines of at most 75 octets, unfolded; (calendar, events) with
    each property's parameters kept in its name («DTSTART;VALUE=DATE») and TEXT values unescaped."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), "every line ends in CRLF"
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in physical), "lines are folded at 75 octets"
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    calendar, events, current = {}, [], None
    for line in logical[1:-1]:
        name, value = line.split(":", 1)
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        else:
            target = calendar if current is None else current
            target[name] = unescape(value) if name in ("SUMMARY", "LOCATION", "DESCRIPTION", "X-WR-CALNAME") else value
    return calendar, events


@pytest.fixture
def member():
    association = AssociationFactory(name="РМО учителей русского языка")
    user = MembershipFactory(association=association, user__username="feed_member").user
    return user, association


def _feed(client, user) -> tuple[dict, list[dict]]:
    token = calendar_feed_renew(user=user).token
    response = client.get(reverse("meetings:calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return parse(response.content.decode("utf-8"))


def test_feed_lists_the_persons_meetings_with_utc_times_stable_uids_and_links(client, member):
    user, association = member
    planned = MeetingFactory(
        association=association, starts_at=local(2026, 12, 3, 15, 0), duration_minutes=120,
        topic="Итоги I четверти; ВПР, ОГЭ", place="МБОУ СОШ № 1, каб. 12",
    )  # fmt: skip
    held = MeetingFactory(association=association, starts_at=local(2026, 10, 15, 14, 30), status=Meeting.Status.HELD)
    MeetingFactory(starts_at=local(2026, 12, 4, 15, 0))  # another association: not hers
    MeetingFactory(association=association, starts_at=local(2028, 1, 10, 15, 0))  # beyond a year ahead
    MeetingFactory(association=association, starts_at=local(2025, 10, 1, 15, 0))  # beyond a year back

    calendar, events = _feed(client, user)
    assert calendar["VERSION"] == "2.0" and calendar["METHOD"] == "PUBLISH" and "PRODID" in calendar
    assert [e["UID"] for e in events] == [f"meeting-{held.pk}@testserver", f"meeting-{planned.pk}@testserver"]
    event = events[1]
    assert event["DTSTART"] == "20261203T120000Z" and event["DTEND"] == "20261203T140000Z"  # Moscow is UTC+3
    assert event["SUMMARY"] == "РМО учителей русского языка: Итоги I четверти; ВПР, ОГЭ"
    assert event["LOCATION"] == "МБОУ СОШ № 1, каб. 12"
    assert event["URL"] == f"https://testserver/meetings/{planned.pk}/"
    assert event["STATUS"] == "CONFIRMED" and event["DTSTAMP"] == "20261124T100000Z"
    assert "Итоги I четверти; ВПР, ОГЭ" in event["DESCRIPTION"] and event["URL"] in event["DESCRIPTION"]
    # The same meeting has the same UID on every fetch, so a calendar app updates it rather than adding it twice.
    assert [e["UID"] for e in _feed(client, user)[1]] == [e["UID"] for e in events]


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(client, member):
    user, association = member
    meeting = MeetingFactory(
        association=association, starts_at=local(2026, 12, 10, 15, 0), status=Meeting.Status.CANCELLED,
        cancel_reason="карантин",
    )  # fmt: skip
    _, events = _feed(client, user)
    assert [(e["UID"], e["STATUS"]) for e in events] == [(f"meeting-{meeting.pk}@testserver", "CANCELLED")]
    assert "Заседание отменено: карантин" in events[0]["DESCRIPTION"]


def test_text_is_escaped_and_long_lines_folded_without_splitting_a_letter():
    assert escape_text("а,б;в\\г\nд") == "а\\,б\\;в\\\\г\\nд"
    line = "DESCRIPTION:" + "Заседание методического объединения, " * 10
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1 and all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert parts[0] + "".join(p[1:] for p in parts[1:]) == line  # unfolds to the very same line


def test_a_long_description_survives_folding(member):
    _, association = member
    meeting = MeetingFactory(association=association, topic="Очень длинная тема заседания, " * 12)
    text = calendar_text(meetings=[meeting], name="Календарь", host="rmo.example.ru", base_url="https://rmo.example.ru")
    _, events = parse(text)
    assert events[0]["SUMMARY"] == f"{association}: {meeting.topic}"


def test_the_districts_events_come_as_all_day_events_when_the_events_module_is_there(client, member, monkeypatch):
    user, _ = member
    event = EventFactory(title="Педагогические чтения", starts_on=datetime.date(2026, 12, 10),
                         ends_on=datetime.date(2026, 12, 11), place="РМЦ")  # fmt: skip
    seen = {}

    def events_for_feed(user, *, start, end):
        seen.update(user=user, start=start, end=end)
        return [event]

    module = types.ModuleType("meetings.event_services")
    module.events_for_feed = events_for_feed
    monkeypatch.setitem(sys.modules, "meetings.event_services", module)
    _, events = _feed(client, user)
    assert seen == {"user": user, "start": datetime.date(2025, 11, 24), "end": datetime.date(2027, 11, 24)}
    assert events == [
        {
            "UID": f"event-{event.pk}@testserver",
            "DTSTAMP": "20261124T100000Z",
            "DTSTART;VALUE=DATE": "20261210",
            "DTEND;VALUE=DATE": "20261212",  # the end is exclusive: the day after the last one
            "SUMMARY": "Семинар: Педагогические чтения",
            "LOCATION": "РМЦ",
            "URL": f"https://testserver/events/{event.pk}/",
            "DESCRIPTION": f"Педагогические чтения\nСтраница мероприятия: https://testserver/events/{event.pk}/",
            "TRANSP": "TRANSPARENT",
        }
    ]


def test_without_the_events_module_the_feed_has_meetings_only(client, member, monkeypatch):
    user, association = member
    MeetingFactory(association=association, starts_at=local(2026, 12, 3, 15, 0))
    EventFactory()
    monkeypatch.setitem(sys.modules, "meetings.event_services", None)  # import fails as if the module were absent
    _, events = _feed(client, user)
    assert [e["UID"].split("-")[0] for e in events] == ["meeting"]


def test_the_feed_runs_the_same_queries_however_many_meetings(client, member, django_assert_max_num_queries):
    user, association = member
    token = calendar_feed_renew(user=user).token
    url = reverse("meetings:calendar_feed", args=[token])
    MeetingFactory(association=association, starts_at=local(2026, 12, 3, 15, 0))
    # The calendar's year shape and the district's names are cached, as in a running portal.
    academic_year_of(local(2026, 11, 24, 13, 0).date())
    district()
    # The person, her meetings, events, and (reports.deadlines) her obligations and her profile's date.
    with django_assert_max_num_queries(5):
        client.get(url)
    MeetingFactory.create_batch(12, association=association, starts_at=local(2026, 12, 5, 15, 0))
    with django_assert_max_num_queries(5):
        assert len(parse(client.get(url).content.decode())[1]) == 13


def test_an_unknown_token_is_404(client, member):
    assert client.get(reverse("meetings:calendar_feed", args=["no-such-token"])).status_code == 404


def test_the_page_shows_an_https_address_and_renewal_stops_the_old_one_at_once(client, member):
    user, _ = member
    client.force_login(user)
    page = client.get(reverse("meetings:calendar"))
    assert page.status_code == 200 and "Получить адрес календаря" in page.content.decode()

    client.post(reverse("meetings:calendar_renew"))
    first = CalendarFeed.objects.get(user=user).token
    page = client.get(reverse("meetings:calendar")).content.decode()
    assert f'value="https://testserver/calendar/{first}.ics"' in page and "Скопировать" in page

    response = client.post(reverse("meetings:calendar_renew"), follow=True)
    assert "Прежний больше не работает" in response.content.decode()
    second = CalendarFeed.objects.get(user=user).token
    assert second != first
    client.logout()
    assert client.get(reverse("meetings:calendar_feed", args=[first])).status_code == 404
    assert client.get(reverse("meetings:calendar_feed", args=[second])).status_code == 200


def test_the_feed_of_a_deactivated_account_is_404(client):
    user = UserFactory()
    token = calendar_feed_renew(user=user).token
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("meetings:calendar_feed", args=[token])).status_code == 404


def test_signed_in_people_find_the_calendar_page_in_their_menu(client, member):
    user, _ = member
    give_consent(user)
    client.force_login(user)
    page = client.get(reverse("export_list")).content.decode()
    assert 'class="bi bi-calendar-event"></i> Календарь в телефоне</a>' in page


def test_the_feed_is_read_only(client, member):
    user, _ = member
    token = calendar_feed_renew(user=user).token
    assert client.post(reverse("meetings:calendar_feed", args=[token])).status_code == 405
