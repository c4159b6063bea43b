"""The first-run setup of a real installation (issue 13): the district's names, the academic year and its terms,
the regulation (a preset copied for editing, or an empty one), the accounts of the district head and the
methodists (each invited by a letter with a link to set her password). Each step is saved on its own and can be
left and resumed; everything it sets stays editable later in the usual places (the admin: «Район», «Учебные
годы», «Положения», «Пользователи»).

A module of associations (the academic year and the regulations are here; people are in members, to the left);
rmo_portal's admin start page only redirects to it by URL name while the district is not configured.
"""

import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from members.models import Role, User
from rmo_portal import calendar
from rmo_portal.district import district_forget
from rmo_portal.models import District

from .models import AcademicYear, Regulation, SchoolTerm
from .presets import PRESETS
from .services import academic_year_forget, regulation_copy

STEPS = (
    ("district", "Район и орган управления образованием"),
    ("year", "Учебный год и четверти"),
    ("regulation", "Положение о методических объединениях"),
    ("people", "Начальник управления и методисты"),
)
DISTRICT_REGULATION = "district"


class SetupError(Exception):
    """A refused step of the setup, with a Russian message shown beside the form's field; `email` names the line."""

    def __init__(self, message: str, *, email: str = ""):
        super().__init__(message)
        self.email = email


def setup_district() -> District:
    """The District row, made with the environment's defaults the first time the setup opens."""
    row = District.objects.filter(pk=1).first()
    if row is None:
        row = District(
            portal_name=settings.PORTAL_NAME, name=settings.DISTRICT_NAME, name_genitive=settings.DISTRICT_NAME,
            organisation_name=settings.ORGANISATION_NAME, time_zone=settings.TIME_ZONE,
        )  # fmt: skip
        row.save()
    return row


def setup_finished() -> bool:
    return District.objects.filter(setup_done_at__isnull=False).exists()


def setup_needed() -> bool:
    """A real installation whose setup was never finished (the demo district is configured by seed_demo)."""
    return settings.FIRST_RUN_SETUP and not District.objects.filter(setup_done_at__isnull=False).exists()


def _step_done(row: District, step: str) -> None:
    if step not in row.setup_steps:
        row.setup_steps = [*row.setup_steps, step]
    row.save()


@transaction.atomic
def setup_district_save(*, fields: dict) -> District:
    row = setup_district()
    for name, value in fields.items():
        setattr(row, name, value)
    _step_done(row, "district")
    return row


@transaction.atomic
def setup_year_save(*, start_year: int, starts_on: datetime.date, ends_on: datetime.date, terms: list) -> AcademicYear:
    """The academic year and its terms (periods in order, inside the year, not overlapping: checked by the form)."""
    year, _ = AcademicYear.objects.update_or_create(
        start_year=start_year, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    year.terms.all().delete()
    for number, (first, last) in enumerate(terms, start=1):
        SchoolTerm.objects.create(academic_year=year, number=number, starts_on=first, ends_on=last)
    academic_year_forget(start_year=start_year)
    _step_done(setup_district(), "year")
    return year


@transaction.atomic
def setup_regulation_save(*, preset: str) -> Regulation:
    """The district's regulation: a copy of a preset (by code) to edit, or an empty one («empty»). Choosing again
    replaces an earlier choice only while no association uses it."""
    row = setup_district()
    title = f"Положение о методических объединениях {row.name_genitive}"
    earlier = Regulation.objects.filter(code=DISTRICT_REGULATION).first()
    if earlier is not None:
        if earlier.associations.exists():
            return earlier
        earlier.delete()
    if preset == "empty":
        regulation = Regulation.objects.create(code=DISTRICT_REGULATION, title=title, district=row.name)
    else:
        source = Regulation.objects.get(code=preset)
        regulation = regulation_copy(regulation=source, code=DISTRICT_REGULATION, title=title, district=row.name)
    _step_done(row, "regulation")
    return regulation


def preset_choices() -> list[tuple[str, str]]:
    codes = [p["code"] for p in PRESETS]
    found = {r.code: f"{r.title} ({r.district})" for r in Regulation.objects.filter(code__in=codes)}
    return [(code, found[code]) for code in codes if code in found] + [("empty", "Пустое положение: правила задам сам")]


@transaction.atomic
def setup_people_save(*, people: list[dict], site: str) -> list[User]:
    """Accounts of the head and the methodists (existing addresses are reused, never duplicated), each invited
    after the commit by a letter with a link to set her password (Django's password-reset token)."""
    made = []
    for person in people:
        user = User.objects.filter(email__iexact=person["email"]).first()
        if user is None:
            base = person["email"].split("@", 1)[0].lower()[:100] or "user"
            username, n = base, 1
            while User.objects.filter(username=username).exists():
                n += 1
                username = f"{base}{n}"
            user = User(
                username=username, email=person["email"], last_name=person["last_name"],
                first_name=person["first_name"], patronymic=person["patronymic"], role=person["role"],
            )  # fmt: skip
            user.refresh_sort_key()
            user.set_unusable_password()
            user.save()
        elif user.role != person["role"]:
            raise SetupError(
                f"Адрес {person['email']} уже у учётной записи {user.full_name} с другой ролью: роль не меняется "
                "здесь; укажите другой адрес или измените роль в администрировании.", email=person["email"],
            )  # fmt: skip
        else:
            made.append(user)
            continue  # already there with this role: not invited again
        made.append(user)
        transaction.on_commit(lambda user=user: _invitation_send(user, site=site), robust=True)
    _step_done(setup_district(), "people")
    return made


def _invitation_send(user: User, *, site: str) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = site.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])
    role = dict(Role.choices).get(user.role, "")
    names = setup_district()
    send_mail(
        subject=f"{names.portal_name}: вам открыт доступ",
        message=(
            f"Здравствуйте, {user.full_name}!\n\nДля вас создана учётная запись в портале «{names.portal_name}» "
            f"({names.name}), роль — {role.lower()}. Имя для входа: {user.username}.\n\n"
            f"Задайте пароль по ссылке (она действует {settings.PASSWORD_RESET_TIMEOUT // 86400} дн.):\n{link}\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def setup_finish() -> District:
    row = setup_district()
    row.setup_done_at = timezone.now()
    row.save()
    district_forget()
    return row


def default_year_shape() -> calendar.YearShape:
    """The year to set up: the current one, or from June the coming one (a district goes live for September)."""
    today = calendar.today()
    year = calendar.academic_year_of(today) + (1 if today.month in (6, 7, 8) else 0)
    return calendar.default_shape(year)
