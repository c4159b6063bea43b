from django.utils import timezone
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from members.models import academic_year_label, academic_year_of
from rmo_portal.mixins import PermissionMixin
from rmo_portal.pdf import pdf_response

from .filters import AssociationFilter
from .models import Association, Membership, ProtocolRule, Regulation


class AssociationListView(FilterView):
    """The district's associations, public; the service also sees dissolved ones."""

    model = Association
    filterset_class = AssociationFilter
    paginate_by = 50
    template_name = "associations/association_list.html"

    def get_queryset(self):
        return (
            Association.objects.visible_to(self.request.user)
            .select_related("regulation")
            .prefetch_related("curators")
            .with_people(on=timezone.localdate())
        )


class AssociationListPdfView(AssociationListView):
    paginate_by = None

    def render_to_response(self, context, **response_kwargs):
        return pdf_response(
            "pdf/association_list.html",
            {"associations": context["object_list"], "today": timezone.localdate()},
            request=self.request,
            filename="associations.pdf",
        )


class AssociationDetailView(DetailView):
    model = Association

    def get_queryset(self):
        return (
            Association.objects.visible_to(self.request.user)
            .select_related("regulation")
            .with_people(on=timezone.localdate())
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.request.user.has_perm("associations.view_people", self.object):
            ctx["memberships"] = (
                Membership.objects.current(on=timezone.localdate())
                .filter(association=self.object)
                .select_related("user__teacher")
                .prefetch_related("user__teacher__employments__school", "user__teacher__subjects")
                .order_by("role", "user__last_name", "user__first_name")
            )
        return ctx


class RegulationListView(PermissionMixin, ListView):
    permission_required = "members.view_district"
    model = Regulation

    def get_queryset(self):
        return Regulation.objects.select_related("copied_from")


class RegulationDetailView(PermissionMixin, DetailView):
    """A regulation's rules in plain Russian, with the due dates they give this academic year."""

    permission_required = "members.view_district"
    model = Regulation

    def get_queryset(self):
        return Regulation.objects.prefetch_related("meeting_rules", "document_rules", "publication_windows")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = academic_year_of(timezone.localdate())
        regulation = self.object
        ctx.update(
            academic_year=year,
            academic_year_label=academic_year_label(year),
            protocol=ProtocolRule.objects.filter(regulation=regulation).first(),
            documents=[(rule, rule.due_dates(year)) for rule in regulation.document_rules.all()],
            windows=[(w, w.window(year)) for w in regulation.publication_windows.all()],
            database_deadline=regulation.teacher_database_deadline(year),
        )
        return ctx
