"""axe-core, run in Chromium on each role's main pages of the demo district, finds no serious or critical
violation, on a desktop and on a 390-px phone.

axe.min.js (axe-core 4, MPL-2.0, from the npm registry) lives beside this test, not in static/: the portal
never serves it. It is evaluated through page.evaluate(), which the pages' CSP does not govern; a script tag
would be refused by the CSP, as it should be."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from associations.demo import demo_seed
from associations.models import Association, Membership, Order, Regulation
from associations.services import order_sign, order_submit
from members.models import Teacher, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
PASSWORDS = {
    "admin": "demo-admin-2026",
    "head": "demo-head-2026",
    "methodist": "demo-methodist-2026",
    "leader": "demo-leader-2026",
    "secretary": "demo-secretary-2026",
    "teacher": "demo-teacher-2026",
}
# A school day of the demo's first academic year: the demo memberships have begun, whatever today is.
NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
VIEWPORTS = {"компьютер": {"width": 1280, "height": 900}, "телефон 390 px": {"width": 390, "height": 844}}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")), count: v.nodes.length}));
}"""


def _district() -> dict:
    """The demo district, a signed order and the ids the pages need."""
    demo_seed()
    association = Association.objects.get(name="РМО учителей русского языка и литературы")
    methodist, head = User.objects.get(username="methodist"), User.objects.get(username="head")
    order = Order.objects.create(
        kind=Order.Kind.APPROVE_COMPOSITION, title="Об утверждении состава РМО учителей русского языка и литературы",
        text="Утвердить состав объединения.", effective_date=NOW.date(), association=association, drafted_by=methodist,
    )  # fmt: skip
    order_submit(order=order, by=methodist)
    order_sign(order=order, by=head, today=NOW.date())
    from reports.deadlines import deadlines_sweep

    deadlines_sweep(today=NOW.date())  # the obligations: the deadline grid and the start pages' panels have rows
    member = Membership.objects.filter(association=association, role=Membership.Role.MEMBER).first()
    return {
        "association": association.pk,
        "teacher": Teacher.objects.get(user__username="teacher").pk,
        "membership": member.pk,
        "order": order.pk,
        "regulation": Regulation.objects.get(code="pechora-rmo").pk,
    }


def _pages(role: str, ids: dict) -> list[str]:
    """Each role's main pages: start page, lists, detail pages, forms."""
    association = reverse("associations:detail", args=[ids["association"]])
    teacher = reverse("members:teacher_detail", args=[ids["teacher"]])
    mine = [reverse("members:me"), reverse("members:contacts"), reverse("members:change_request", args=["work"])]
    mine += [reverse("members:consent"), reverse("members:profile_views"), reverse("password_change")]
    mine += [reverse("notifications"), reverse("notification_settings")]
    service = [
        reverse("members:teacher_list"), teacher, reverse("members:teacher_history", args=[ids["teacher"]]),
        reverse("members:attestation_schedule"), reverse("members:training_schedule"),
        reverse("associations:list"), association,
        reverse("associations:order_list"), reverse("associations:order_detail", args=[ids["order"]]),
        reverse("associations:regulation_list"), reverse("associations:regulation_detail", args=[ids["regulation"]]),
        reverse("reports:deadlines"), reverse("members:invitation_list"), reverse("notifications"),
    ]  # fmt: skip
    membership_end = reverse("associations:member_end", args=[ids["membership"]])
    leader = [reverse("start"), *mine, association, reverse("members:teacher_list"), teacher]
    leader += [reverse("members:attestation_schedule"), reverse("members:training_schedule")]
    leader += [reverse("members:review_queue"), membership_end]
    methodist = [reverse("start"), *service, reverse("members:review_queue"), reverse("members:teacher_import")]
    methodist += [reverse("associations:order_create"), membership_end, reverse("members:invitation_new")]
    return {
        "anonymous": ["/", reverse("associations:list"), association, reverse("login"), reverse("password_reset")],
        "teacher": [reverse("start"), *mine, association],
        "secretary": [reverse("start"), reverse("members:me"), association],
        "leader": leader,
        "methodist": methodist,
        "head": [reverse("start"), *service],
        "admin": [
            reverse("start"),
            *service,
            reverse("members:teacher_import"),
            reverse("admin:index"),
            reverse("notifications_failed"),
            reverse("setup"),
            reverse("setup_step", args=["year"]),
        ],
    }[role]


def _check(page, label: str, problems: list[str]) -> None:
    page.evaluate(AXE)
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        for v in page.evaluate(RUN_AXE):
            targets = "; ".join(v["targets"]) + (f" … ({v['count']})" if v["count"] > len(v["targets"]) else "")
            problems.append(f"{label} [{viewport}] — {v['rule']} ({v['impact']}: {v['help']}): {targets}")


@pytest.mark.parametrize("role", ["anonymous", "teacher", "secretary", "leader", "methodist", "head", "admin"])
def test_axe_finds_no_serious_violation_on_the_main_pages_of_each_role(page, live_server, role):
    with time_machine.travel(NOW, tick=True):
        ids = _district()
        problems: list[str] = []
        if role != "anonymous":
            page.goto(f"{live_server.url}{reverse('login')}")
            _check(page, reverse("login"), problems)
            page.get_by_label("Имя пользователя").fill(role)
            page.get_by_label("Пароль").fill(PASSWORDS[role])
            page.get_by_role("button", name="Войти").click()
            page.wait_for_load_state()
            if reverse("members:consent") in page.url:  # a teacher's first log-in asks for consent
                _check(page, reverse("members:consent"), problems)
                for box in page.locator("main form input[type=checkbox]").all():
                    box.check()
                page.get_by_role("button", name="Сохранить").click()
                page.wait_for_load_state()
        for path in _pages(role, ids):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{role}: {path} answered {response.status}"
            _check(page, path, problems)
        assert not problems, f"axe, {role}: serious or critical violations:\n" + "\n".join(problems)


# Words of labels and headers that the browser split across two lines (a hyphen or a dash may end a line).
BROKEN_WORDS = """() => {
  const broken = [];
  const selector = "label, legend, dt, th, h1, h2, h3, h4, h5, h6, .card-header, .btn, .navbar-brand";
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length) { continue; }
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s\\-–—]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) { broken.push(el.tagName.toLowerCase() + ": " + m[0]); }
      }
    }
  }
  return broken;
}"""
# Tables wider than their box: what a keyboard and a screen reader get, and the cue drawn at the edge.
SCROLLING_TABLES = """() => [...document.querySelectorAll("table")]
  .map(t => t.parentElement)
  .filter(box => box.scrollWidth > box.clientWidth)
  .map(box => ({tabindex: box.getAttribute("tabindex"), role: box.getAttribute("role"),
                label: box.getAttribute("aria-label"),
                cue: getComputedStyle(box).backgroundImage.includes("gradient")}))"""


def test_on_a_phone_words_stay_whole_wide_tables_scroll_with_a_cue_and_the_menu_sits_by_the_title(page, live_server):
    with time_machine.travel(NOW, tick=True):
        ids = _district()
        page.set_viewport_size(VIEWPORTS["телефон 390 px"])
        page.goto(f"{live_server.url}{reverse('login')}")
        page.get_by_label("Имя пользователя").fill("methodist")
        page.get_by_label("Пароль").fill(PASSWORDS["methodist"])
        page.get_by_role("button", name="Войти").click()
        page.wait_for_load_state()
        brand, toggler = page.locator(".navbar-brand").bounding_box(), page.get_by_label("Показать меню").bounding_box()
        assert toggler["y"] < brand["y"] + brand["height"] and toggler["x"] > brand["x"] + brand["width"]
        checked = 0
        for path in _pages("methodist", ids):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{path}: the page scrolls sideways"
            assert page.evaluate(BROKEN_WORDS) == [], path
            for table in page.evaluate(SCROLLING_TABLES):
                assert table == {**table, "tabindex": "0", "role": "region", "cue": True} and table["label"], path
                checked += 1
        assert checked >= 5  # the teacher list, schedules, membership and the teacher's courses do scroll
        page.goto(f"{live_server.url}{reverse('associations:detail', args=[ids['association']])}")
        expect(page.get_by_role("columnheader", name="Образовательная организация")).to_be_visible()
        region = page.get_by_role("region", name="Состав")
        region.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.activeElement.scrollLeft > 0")
