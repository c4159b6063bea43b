"""The navigation bar, declared once: each item is shown only to users who hold its permission."""

from dataclasses import dataclass

from django.urls import reverse

from .permissions import allowed


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    perm: str | None = None  # None: everyone, signed in or not
    login_required: bool = False

    def visible_to(self, user) -> bool:
        if self.login_required and not user.is_authenticated:
            return False
        return self.perm is None or allowed(user, self.perm)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV_ITEMS = (
    NavItem("Рабочий стол", "start", "speedometer2", login_required=True),
    NavItem("Мой профиль", "members:me", "person-vcard", perm="members.view_own_profile"),
    NavItem("Объединения", "associations:list", "people"),
    NavItem("Методическая работа", "reports:public", "journal-richtext"),
    NavItem("Мероприятия", "meetings:event_list", "calendar-event"),
    NavItem("Педагоги", "members:teacher_list", "person-lines-fill", perm="members.view_teacher_list"),
    NavItem("Запросы", "members:review_queue", "inbox", perm="members.review_any"),
    NavItem("Сроки", "reports:deadlines", "hourglass-split", perm="reports.view_deadlines"),
    NavItem("Приказы", "associations:order_list", "file-earmark-text", perm="associations.view_orders"),
    NavItem("Положения", "associations:regulation_list", "journal-text", perm="members.view_district"),
    NavItem("Администрирование", "admin:index", "gear", perm="portal.use_admin"),
)


def nav_for(user) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.visible_to(user)]
