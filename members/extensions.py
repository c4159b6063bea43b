"""What higher apps add to a teacher's profile page (STYLE.md §16): a section with its own template and context.

An app registers in its AppConfig.ready():

    register_profile_section(key="mentorship", template="reports/profile_mentorship.html", context=fn)

`context(teacher, viewer, today)` returns the section's variables, or None when it has nothing to show; it must run
a fixed number of queries. The page shows the sections in the order of their `order`.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

ProfileContext = Callable[[object, object, datetime.date], dict | None]


@dataclass(frozen=True)
class ProfileSection:
    key: str
    template: str
    order: int
    context: ProfileContext


_sections: dict[str, ProfileSection] = {}


def register_profile_section(*, key: str, template: str, context: ProfileContext, order: int = 100) -> None:
    _sections[key] = ProfileSection(key, template, order, context)


def profile_sections(teacher, viewer, today: datetime.date) -> list[dict]:
    """The sections that have something to say, as (template, variables)."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        values = section.context(teacher, viewer, today)
        if values is not None:
            shown.append({"key": section.key, "template": section.template, "context": values})
    return shown


# --- the date of the yearly profile confirmation -------------------------------------------------------------------

ConfirmationDue = Callable[[object, int], datetime.date | None]

_confirmation_due: list[ConfirmationDue] = []


def register_confirmation_due(fn: ConfirmationDue) -> None:
    """`fn(user, academic_year)` says by when the user must confirm her profile (the regulation of her associations
    knows it; the teacher database does not), or None. One query at most; registering twice is harmless."""
    if fn not in _confirmation_due:
        _confirmation_due.append(fn)


def confirmation_due(user, academic_year: int) -> datetime.date | None:
    """The earliest date the registered functions give, or None."""
    days = [day for fn in _confirmation_due if (day := fn(user, academic_year)) is not None]
    return min(days, default=None)
