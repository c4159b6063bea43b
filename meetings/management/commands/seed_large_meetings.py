"""The benchmark region's meetings (after seed_large_district): for each of its associations two held meetings with
agendas, attendance and signed, published protocols (with their versions and two signatures), and one planned
meeting on an approved schedule. Written with bulk_create in one transaction; running it again adds nothing to
associations that have meetings already."""

import datetime
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from associations.models import Association, MeetingRule, Membership, Regulation
from meetings.models import AgendaItem, Attendance, Meeting, Protocol, ProtocolVersion, Schedule
from meetings.services import ROLE_LABELS, protocol_content, protocol_text
from rmo_portal import calendar
from rmo_portal.models import Signature
from rmo_portal.signatures import CODE_ALPHABET, CODE_LENGTH, text_hash

BATCH = 5000


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Command(BaseCommand):
    help = "Засеять заседания и протоколы большого района для замеров (после seed_large_district)."

    @transaction.atomic
    def handle(self, *args, **options):
        year = calendar.current_academic_year()
        # The region's regulation: a meeting each half-year on a published schedule (the Вилюйский way), so that
        # the public schedule page is measured too.
        for regulation in Regulation.objects.filter(code="bench"):
            MeetingRule.objects.get_or_create(
                regulation=regulation, period=MeetingRule.Period.HALF_YEAR,
                defaults={"min_count": 1, "by_published_schedule": True},
            )  # fmt: skip
        start, _ = calendar.year_bounds(year)
        associations = list(
            Association.objects.filter(regulation__code="bench").exclude(meetings__isnull=False).order_by("pk")
        )
        members: dict[int, list[tuple[int, str]]] = {}
        for association_id, user_id, role in Membership.objects.filter(
            association__in=associations, end_date__isnull=True
        ).values_list("association_id", "user_id", "role"):
            members.setdefault(association_id, []).append((user_id, role))

        def at(days: int) -> datetime.datetime:
            return timezone.make_aware(
                datetime.datetime.combine(start + datetime.timedelta(days=days), datetime.time(15))
            )

        meetings = []
        for association in associations:
            for days, status in ((20, Meeting.Status.HELD), (55, Meeting.Status.HELD), (200, Meeting.Status.PLANNED)):
                meetings.append(
                    Meeting(association=association, academic_year=year, starts_at=at(days), status=status,
                            topic=f"Заседание {days}-го дня года", place="Районный методический центр",
                            schedule_published=True)
                )  # fmt: skip
        Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        Schedule.objects.bulk_create(
            [Schedule(association=a, academic_year=year, status=Schedule.Status.APPROVED, approved_at=at(10))
             for a in associations],
            batch_size=BATCH,
        )  # fmt: skip
        items, marks, protocols = [], [], []
        numbers: dict[int, int] = {}
        for meeting in meetings:
            for position in (1, 2):
                items.append(AgendaItem(meeting=meeting, position=position, title=f"Вопрос {position}",
                                        heard="Сообщение докладчика.", decided="Принять к сведению.",
                                        votes_for=len(members.get(meeting.association_id, ()))))  # fmt: skip
            if meeting.status != Meeting.Status.HELD:
                continue
            for user_id, _role in members.get(meeting.association_id, ()):
                marks.append(Attendance(meeting=meeting, user_id=user_id))
            numbers[meeting.association_id] = numbers.get(meeting.association_id, 0) + 1
            protocols.append(
                Protocol(meeting=meeting, association_id=meeting.association_id, academic_year=year,
                         number=numbers[meeting.association_id], status=Protocol.Status.SIGNED, place=meeting.place,
                         signed_at=meeting.starts_at + datetime.timedelta(days=2), published=True,
                         due_on=meeting.starts_at.date() + datetime.timedelta(days=3))
            )  # fmt: skip
        AgendaItem.objects.bulk_create(items, batch_size=BATCH)
        Attendance.objects.bulk_create(marks, batch_size=BATCH)
        Protocol.objects.bulk_create(protocols, batch_size=BATCH)
        versions, signatures = [], []
        signers = {a: {role: user for user, role in rows} for a, rows in members.items()}
        for protocol in Protocol.objects.filter(pk__in=[p.pk for p in protocols]).select_related(
            "meeting", "association"
        ):
            content = protocol_content(protocol) if len(versions) < 3 else _content_like(versions[0].data, protocol)
            text = protocol_text(content)
            versions.append(
                ProtocolVersion(protocol=protocol, number=1, text=text, data=content, sha256=text_hash(text))
            )
            for role in (Membership.Role.LEADER, Membership.Role.SECRETARY):
                user_id = signers.get(protocol.association_id, {}).get(role)
                if user_id:
                    signatures.append(
                        Signature(code=_code(), document_key=protocol.document_key, document_version=1,
                                  document_title=f"Протокол № {protocol.number}", document_hash=text_hash(text),
                                  signer_id=user_id, signer_name="Участник замеров", role_label=ROLE_LABELS[role],
                                  signed_at=protocol.signed_at)
                    )  # fmt: skip
        ProtocolVersion.objects.bulk_create(versions, batch_size=BATCH)
        Signature.objects.bulk_create(signatures, batch_size=BATCH)
        self.stdout.write(
            f"Засеяно: заседаний {len(meetings)}, протоколов {len(protocols)}, отметок присутствия {len(marks)}, "
            f"подписей {len(signatures)}"
        )


def _content_like(sample: dict, protocol: Protocol) -> dict:
    """The first protocols' content with this one's number and date: reading each from the database would
    take minutes for thousands of protocols and adds nothing to the pages' cost."""
    return dict(sample, number=protocol.number, association=str(protocol.association), date=protocol.meeting.day_label)
