"""The public section «Методическая работа»: what the district's associations publish, for anonymous readers.

Each list runs a fixed number of queries however many associations it shows; people appear only as far as they
agreed to publication (the leader's name always: the association's page names it for everyone).
"""

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.views.generic import TemplateView

from associations.models import Association
from meetings.models import Event, Meeting, Protocol
from members.models import Consent, Teacher
from rmo_portal import calendar

from . import services
from .models import Filing

PER_PAGE = 30


class MethodicalWorkView(TemplateView):
    """The associations, each with its leader and what it published; the events ahead; a search box."""

    template_name = "reports/public_work.html"

    def get_context_data(self, **kwargs):
        today = calendar.today()
        year = calendar.academic_year_of(today)
        associations = (
            Association.objects.active()
            .with_people(on=today)
            .annotate(
                schedule_public=Exists(Meeting.objects.filter(association=OuterRef("pk"), academic_year=year,
                                                              schedule_published=True)),
                protocols_public=Exists(Protocol.objects.filter(association=OuterRef("pk"), published=True)),
            )
            .prefetch_related(
                Prefetch("filings", queryset=Filing.objects.filter(status=Filing.Status.PUBLISHED)
                         .order_by("-academic_year", "kind", "quarter"), to_attr="published_filings"),
            )
        )  # fmt: skip
        page = Paginator(associations, PER_PAGE).get_page(self.request.GET.get("page"))
        leaders = [u for a in page.object_list for u in a.leaders]
        consented = set(
            Consent.objects.filter(user__in=leaders, withdrawn_at__isnull=True, publish_allowed=True).values_list(
                "user_id", flat=True
            )
        )
        profiles = {
            t.user_id: t
            for t in Teacher.objects.filter(user_id__in=consented).prefetch_related("subjects", "employments__school")
        }
        for association in page.object_list:
            association.public_leaders = [
                {"name": u.get_full_name(), "profile": profiles.get(u.pk)} for u in association.leaders
            ]
        return super().get_context_data(
            page_obj=page, associations=page.object_list, year=year,
            events=list(Event.objects.filter(published=True, starts_on__gte=today).order_by("starts_on")[:5]),
            **kwargs,
        )  # fmt: skip


class PublicSearchView(TemplateView):
    """Published documents whose text has every word of the query (case and ё/е folded)."""

    template_name = "reports/public_search.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:200]
        results = services.published_search(query) if query else Filing.objects.none()
        page = Paginator(results, PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(query=query, page_obj=page, results=page.object_list, **kwargs)
