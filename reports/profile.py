"""The mentorship pairs on both teachers' profiles (members.extensions), registered in ReportsConfig.ready()."""

import datetime

from django.db.models import Q

from rmo_portal import calendar

from .models import Mentorship


def mentorship(teacher, viewer, today: datetime.date) -> dict | None:
    """This year's pairs where the teacher is the mentor or the specialist (1 query)."""
    year = calendar.academic_year_of(today)
    pairs = list(
        Mentorship.objects.filter(
            Q(mentor_id=teacher.user_id) | Q(mentee_id=teacher.user_id), academic_year=year
        ).select_related("mentor", "mentee", "association")
    )
    if not pairs:
        return None
    return {"pairs": pairs, "user_id": teacher.user_id, "year_label": calendar.academic_year_label(year)}
