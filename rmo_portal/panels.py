"""The start-page panel registry: each app contributes its own panels to the start pages (STYLE.md §16).

An app registers its panels in its `AppConfig.ready()`:

    register("teacher", key="returned_requests", template="members/panels/returned_requests.html",
             permission="members.view_own_profile", order=20, context=returned_requests)

`context(request, today)` returns the panel's template variables, or None when the panel has nothing to say
(it is then left out). It must run a fixed number of queries, however many rows it shows: evaluate the
querysets it returns (a list) with what the template reads selected or prefetched. A start view renders the
panels of its page that the user may see (`permission`, asked through `allowed`; None: everyone who sees the
page), in `order`. The kernel knows no app: it holds names, templates and callables only.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.http import HttpRequest

from .permissions import allowed

# The start pages, by the name in their URL (/start/<page>/); "home" is the public home page.
PAGES = ("home", "admin", "head", "methodist", "leader", "secretary", "teacher")

PanelContext = Callable[[HttpRequest, datetime.date], dict | None]


@dataclass(frozen=True)
class Panel:
    page: str
    key: str
    template: str
    permission: str | None
    order: int
    context: PanelContext | None


@dataclass
class ShownPanel:
    """A panel as a page shows it: its template with the variables its context gave."""

    key: str
    template: str
    context: dict = field(default_factory=dict)


_panels: dict[str, dict[str, Panel]] = {page: {} for page in PAGES}


def register(
    page: str | Iterable[str],
    *,
    key: str,
    template: str,
    permission: str | None = None,
    order: int = 100,
    context: PanelContext | None = None,
) -> None:
    """Put a panel on one page (or on each of several). Registering the same key again replaces it."""
    for name in (page,) if isinstance(page, str) else page:
        if name not in _panels:
            raise ValueError(f"Unknown start page {name!r}; the pages are {', '.join(PAGES)}")
        _panels[name][key] = Panel(name, key, template, permission, order, context)


def panels_of(page: str) -> list[Panel]:
    """Every panel registered on a page, in order (then by key, so that the order never depends on imports)."""
    return sorted(_panels[page].values(), key=lambda p: (p.order, p.key))


def shown_panels(page: str, request: HttpRequest, today: datetime.date) -> list[ShownPanel]:
    """The panels of `page` this user may see and that have something to show, with their variables."""
    shown, granted = [], {None: True}
    for panel in panels_of(page):
        if panel.permission not in granted:  # each permission asked once per page, however many panels need it
            granted[panel.permission] = allowed(request.user, panel.permission)
        if not granted[panel.permission]:
            continue
        values = panel.context(request, today) if panel.context else {}
        if values is None:
            continue
        shown.append(ShownPanel(panel.key, panel.template, values))
    return shown
