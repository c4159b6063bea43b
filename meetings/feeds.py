"""The personal iCalendar feed (RFC 5545): a person's meetings, the district's events and (through
`register_feed_source`) her deadlines, at a secret address.

The text is written here rather than by a library: it is one calendar of plain VEVENTs, and what matters for
Thunderbird and phones is a handful of rules kept below (CRLF line ends, lines folded at 75 octets without
splitting a UTF-8 character, TEXT values escaped, times in UTC, all-day events as DATE with an exclusive end).
"""

import datetime
import importlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rmo_portal import calendar
from rmo_portal.district import district

from .models import CalendarFeed, Meeting

# What the feed covers around today: a calendar app keeps what it has seen, so older meetings stay on the phone.
FEED_PAST = datetime.timedelta(days=365)
FEED_FUTURE = datetime.timedelta(days=365)
# How often a calendar app is asked to fetch the feed again (Outlook and Google read the first, Apple the second).
REFRESH_INTERVAL = "PT1H"


# --- the secret address ------------------------------------------------------------------------------------


def new_token() -> str:
    """256 random bits, URL-safe (letters, digits, «-» and «_»: a slug)."""
    return secrets.token_urlsafe(32)


def calendar_feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    """Give the person a new secret address (the first one, or a replacement): the old one stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user, token=new_token())
    feed.token = new_token()
    feed.save(update_fields=["token", "created_at"])
    return feed


def calendar_feed_find(token: str) -> CalendarFeed | None:
    if not token:
        return None
    return CalendarFeed.objects.select_related("user").filter(token=token).first()


# --- what the feed lists -------------------------------------------------------------------------------------


def feed_meetings(user, *, today: datetime.date) -> list[Meeting]:
    """The person's meetings from a year back to a year ahead, cancelled ones too (a calendar app then drops
    them), in one query."""
    start = timezone.make_aware(datetime.datetime.combine(today - FEED_PAST, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(today + FEED_FUTURE, datetime.time.max))
    return list(
        Meeting.objects.of_member(user, on=today)
        .filter(starts_at__gte=start, starts_at__lte=end)
        .select_related("association")
        .order_by("starts_at", "pk")
    )


def _events_for_feed():
    """`meetings.event_services.events_for_feed(user, *, start, end)`, or None while it does not exist.

    The district events are written separately; until their module lands the feed simply has no events. Looked up
    by name, not imported at the top, so that this module works with or without it.
    """
    try:
        module = importlib.import_module("meetings.event_services")
    except ModuleNotFoundError as error:
        if error.name != "meetings.event_services":
            raise  # the module is there but broken: say so, do not hide it
        return None
    return getattr(module, "events_for_feed", None)


def events_in_feed() -> bool:
    return _events_for_feed() is not None


def feed_events(user, *, today: datetime.date) -> list:
    """The district's events for the person (none while the events module is absent)."""
    events_for_feed = _events_for_feed()
    if events_for_feed is None:
        return []
    return list(events_for_feed(user, start=today - FEED_PAST, end=today + FEED_FUTURE))


# --- what higher apps add: all-day items (the deadlines of reports) ------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    """An all-day entry a higher app adds to the person's feed (a deadline): `key` makes its UID stable."""

    key: str
    day: datetime.date
    summary: str
    description: str
    path: str  # the page where it is done, without the host


FeedSource = Callable[..., Iterable[FeedItem]]  # fn(user, *, today, start, end), a fixed number of queries

_SOURCES: list[FeedSource] = []


def register_feed_source(fn: FeedSource) -> None:
    """Add `fn(user, *, today, start, end)`'s items to every feed (STYLE.md §16: registered in AppConfig.ready())."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)


def feed_items(user, *, today: datetime.date) -> list[FeedItem]:
    items = [
        item for fn in _SOURCES for item in fn(user, today=today, start=today - FEED_PAST, end=today + FEED_FUTURE)
    ]
    return sorted(items, key=lambda item: (item.day, item.key))


# --- RFC 5545 text -----------------------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, «;», «,» escaped, every line end as «\\n»."""
    value = str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line into lines of at most `limit` octets (§3.1): a continuation starts with a space,
    and a UTF-8 character is never split (Cyrillic letters are two octets each)."""
    parts, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1  # the leading space counts in the next line's octets
        current += ch
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def date_stamp(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def _meeting_lines(meeting: Meeting, *, host: str, base_url: str, stamp: str) -> list[str]:
    url = base_url + meeting.get_absolute_url()
    description = [meeting.topic, f"Объединение: {meeting.association}", f"Место: {meeting.where_label}"]
    if meeting.online_url:
        description.append(f"Ссылка на онлайн-заседание: {meeting.online_url}")
    if meeting.status == Meeting.Status.CANCELLED:
        description.append("Заседание отменено" + (f": {meeting.cancel_reason}" if meeting.cancel_reason else "."))
    description.append(f"Страница заседания: {url}")
    location = meeting.place or ("онлайн" if meeting.online_url else "")
    lines = [
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{utc_stamp(meeting.starts_at)}",
        f"DTEND:{utc_stamp(meeting.ends_at)}",
        f"SUMMARY:{escape_text(f'{meeting.association}: {meeting.topic}')}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines += [
        f"URL:{url}",
        f"DESCRIPTION:{escape_text(chr(10).join(description))}",
        "STATUS:CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "STATUS:CONFIRMED",
        "END:VEVENT",
    ]
    return lines


def _event_lines(event, *, host: str, base_url: str, stamp: str) -> list[str]:
    """An all-day event: DATE values, the end exclusive (the day after the last one)."""
    last_day = event.ends_on or event.starts_on
    url = base_url + event.get_absolute_url()
    description = [event.title]
    if getattr(event, "description", ""):
        description.append(event.description)
    description.append(f"Страница мероприятия: {url}")
    lines = [
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{date_stamp(event.starts_on)}",
        f"DTEND;VALUE=DATE:{date_stamp(last_day + datetime.timedelta(days=1))}",
        f"SUMMARY:{escape_text(str(event))}",
    ]
    if event.place:
        lines.append(f"LOCATION:{escape_text(event.place)}")
    lines += [
        f"URL:{url}",
        f"DESCRIPTION:{escape_text(chr(10).join(description))}",
        "TRANSP:TRANSPARENT",  # an event of several days does not make the person busy all day
        "END:VEVENT",
    ]
    return lines


def _item_lines(item: FeedItem, *, host: str, base_url: str, stamp: str) -> list[str]:
    """A deadline: one all-day entry on its day, free time (it does not take the day), with the link to do it."""
    url = base_url + item.path
    return [
        "BEGIN:VEVENT",
        f"UID:{item.key}@{host}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{date_stamp(item.day)}",
        f"DTEND;VALUE=DATE:{date_stamp(item.day + datetime.timedelta(days=1))}",
        f"SUMMARY:{escape_text(item.summary)}",
        f"URL:{url}",
        f"DESCRIPTION:{escape_text(item.description + chr(10) + 'Выполнить: ' + url)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def calendar_text(
    *, meetings: Iterable[Meeting], events: Iterable = (), items: Iterable[FeedItem] = (), name: str, host: str,
    base_url: str, now: datetime.datetime | None = None,
) -> str:  # fmt: skip
    """The whole VCALENDAR: `base_url` (scheme and host) makes the links absolute; `host` ends every UID."""
    stamp = utc_stamp(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//RMO portal//Calendar feed//RU",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH_INTERVAL}",
        f"X-PUBLISHED-TTL:{REFRESH_INTERVAL}",
    ]
    for meeting in meetings:
        lines += _meeting_lines(meeting, host=host, base_url=base_url, stamp=stamp)
    for event in events:
        lines += _event_lines(event, host=host, base_url=base_url, stamp=stamp)
    for item in items:
        lines += _item_lines(item, host=host, base_url=base_url, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def feed_text(feed: CalendarFeed, *, host: str, base_url: str, today: datetime.date | None = None) -> str:
    """The feed of the person who holds `feed`: their meetings and events around today."""
    today = today or calendar.today()
    user = feed.user
    return calendar_text(
        meetings=feed_meetings(user, today=today),
        events=feed_events(user, today=today),
        items=feed_items(user, today=today),
        name=f"{district().portal_name}: {user.get_full_name() or user.get_username()}",
        host=host,
        base_url=base_url,
    )
