"""Template helpers available in every template (TEMPLATES builtins)."""

from django import template

from rmo_portal import text
from rmo_portal.permissions import allowed

register = template.Library()


@register.filter
def plural(n, forms: str) -> str:
    """{{ n|plural:"педагог,педагога,педагогов" }} → «педагога»."""
    return text.plural_ru(n or 0, forms)


@register.filter
def count(n, forms: str) -> str:
    """{{ n|count:"педагог,педагога,педагогов" }} → «2 педагога»."""
    return text.count_ru(n or 0, forms)


@register.filter
def elided_pages(page_obj) -> list:
    """The page numbers worth a link: first, last and three either side of this one, «…» between (the whole
    range of a region's 600 pages would cost more to render than the page's rows)."""
    paginator = page_obj.paginator
    return list(paginator.get_elided_page_range(page_obj.number, on_each_side=3, on_ends=1))


@register.filter
def date_ru(value) -> str:
    """{{ d|date_ru }} → «20 июня 2027 г.»."""
    return text.date_ru(value)


@register.simple_tag(takes_context=True)
def can(context, perm: str, obj=None) -> bool:
    """{% can "associations.view_people" association as allowed %}: the same check as the views'."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return allowed(user, perm, obj)


@register.simple_tag(takes_context=True)
def panel(context, shown) -> str:
    """{% panel p %}: a start-page panel's template, rendered with the page's context plus the panel's own."""
    template = context.template.engine.get_template(shown.template)
    with context.push(panel_key=shown.key, **shown.context):
        return template.render(context)


@register.simple_tag(takes_context=True)
def verify_address(context) -> str:
    """{% verify_address as url %}: the absolute address of the public signature check, as a stamp prints it."""
    from django.urls import reverse

    request = context.get("request")
    path = reverse("verify")
    return request.build_absolute_uri(path) if request is not None else path


@register.simple_tag
def document_signatures(kind: str, pk, version=None) -> list:
    """{% document_signatures "associations.order" order.pk as signatures %}: the signatures of a document."""
    from rmo_portal.signatures import signatures_of

    return signatures_of(f"{kind}:{pk}", version)


@register.simple_tag
def status_badge(obj) -> str:
    """{% status_badge order %} → <span class="badge text-bg-success">Подписан</span>: the colour from the model's
    STATUS_BADGE (rmo_portal.workflow), the label from its Status."""
    from django.utils.html import format_html

    from rmo_portal.workflow import badge_colour, status_label

    return format_html('<span class="badge text-bg-{}">{}</span>', badge_colour(obj), status_label(obj, obj.status))


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """{% unread_notifications as unread %}: the number under the navbar's bell (one query, signed-in users only)."""
    from rmo_portal.notifications import unread_count

    request = context.get("request")
    return unread_count(getattr(request, "user", None) or context.get("user"))
