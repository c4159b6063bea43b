"""Writes of associations/: regulations, academic years (orders and memberships come next)."""

import datetime

from django.db import transaction

from .models import DEFAULT_TERMS, AcademicYear, ProtocolRule, Regulation, SchoolTerm


class WorkflowError(Exception):
    """A change the rules do not allow; the message is for the user."""


@transaction.atomic
def regulation_copy(*, regulation: Regulation, code: str, title: str, district: str) -> Regulation:
    """Copy a regulation with all its rules, to edit the copy without touching the original."""
    if Regulation.objects.filter(code=code).exists():
        raise WorkflowError(f"Положение с кодом «{code}» уже есть.")
    rules = {
        "meeting_rules": list(regulation.meeting_rules.all()),
        "document_rules": list(regulation.document_rules.all()),
        "publication_windows": list(regulation.publication_windows.all()),
    }
    protocol = ProtocolRule.objects.filter(regulation=regulation).first()
    copy = Regulation.objects.get(pk=regulation.pk)
    copy.pk = None
    copy.code, copy.title, copy.district, copy.copied_from = code, title, district, regulation
    copy.save()
    for rows in rules.values():
        for row in rows:
            row.pk = None
            row.regulation = copy
            row.save()
    if protocol:
        protocol.pk = None
        protocol.regulation = copy
        protocol.save()
    return copy


@transaction.atomic
def academic_year_ensure(*, start_year: int) -> AcademicYear:
    """The academic year starting in September of `start_year`, made with the default terms if missing."""
    year, created = AcademicYear.objects.get_or_create(
        start_year=start_year,
        defaults={"starts_on": datetime.date(start_year, 9, 1), "ends_on": datetime.date(start_year + 1, 8, 31)},
    )
    if created:
        for number, ((m1, d1), (m2, d2)) in enumerate(DEFAULT_TERMS, start=1):
            y1 = start_year if m1 >= 9 else start_year + 1
            y2 = start_year if m2 >= 9 else start_year + 1
            SchoolTerm.objects.create(
                academic_year=year,
                number=number,
                starts_on=datetime.date(y1, m1, d1),
                ends_on=datetime.date(y2, m2, d2),
            )
    return year
