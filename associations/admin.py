from django.contrib import admin, messages

from rmo_portal import changes

from .models import (
    AcademicYear,
    Association,
    DocumentRule,
    MeetingRule,
    Membership,
    MembershipInvitation,
    ProtocolRule,
    PublicationWindow,
    Regulation,
    SchoolTerm,
)
from .services import WorkflowError, academic_year_forget, regulation_copy


def compact_fields(model, rows: list[tuple[str, ...]]) -> list:
    """A rule's fields a few to a line, so that a regulation's page fits a 1366-pixel screen.

    Fields the rows do not name (a rule kind gains a parameter) follow one a line, never hidden.
    """
    names = [
        f.name for f in model._meta.get_fields()
        if f.concrete and f.editable and not f.auto_created and not (f.is_relation and f.related_model is Regulation)
    ]  # fmt: skip
    laid_out, placed = [], set()
    for row in rows:
        present = tuple(n for n in row if n in names)
        if present:
            laid_out.append(present if len(present) > 1 else present[0])
            placed.update(present)
    return laid_out + [n for n in names if n not in placed]


class MeetingRuleInline(admin.TabularInline):
    model = MeetingRule
    extra = 0


class ProtocolRuleInline(admin.StackedInline):
    model = ProtocolRule
    extra = 0

    def get_fields(self, request, obj=None):
        return compact_fields(
            ProtocolRule,
            [
                ("days_after_meeting", "kept_by_secretary"),
                ("signed_by_leader", "signed_by_secretary", "scan_published"),
                ("note",),
            ],
        )


class DocumentRuleInline(admin.StackedInline):
    # Fourteen parameters do not fit a table row: a compact form per rule.
    model = DocumentRule
    extra = 0

    def get_fields(self, request, obj=None):
        return compact_fields(
            DocumentRule,
            [
                ("document", "recipient"),
                ("date_rule",),
                ("month", "day", "days"),
                ("start_month", "start_day"),
                ("covers_next_year", "discussion_and_vote"),
                ("date_assumed", "date_confirmed"),
                ("note",),
            ],
        )


class PublicationWindowInline(admin.StackedInline):
    model = PublicationWindow
    extra = 0

    def get_fields(self, request, obj=None):
        return compact_fields(PublicationWindow, [("document", "covers_next_year"), ("from_day", "to_day"), ("note",)])


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    list_display = ["title", "district", "body_kind", "code", "copied_from"]
    list_filter = ["body_kind"]
    search_fields = ["title", "district"]
    inlines = [MeetingRuleInline, ProtocolRuleInline, DocumentRuleInline, PublicationWindowInline]
    actions = ["copy_regulation"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Its associations' obligations follow the edited rules (reports' deadline engine recomputes them).
        changes.announce("associations", ids=form.instance.associations.values_list("pk", flat=True))

    @admin.action(description="Копировать положение со всеми правилами")
    def copy_regulation(self, request, queryset):
        for regulation in queryset:
            n = Regulation.objects.filter(code__startswith=f"{regulation.code}-copy").count() + 1
            try:
                copy = regulation_copy(
                    regulation=regulation,
                    code=f"{regulation.code}-copy{n}"[:50],
                    title=f"{regulation.title} (копия)",
                    district=regulation.district,
                )
            except WorkflowError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"Создана копия «{copy}»: отредактируйте её.", messages.SUCCESS)


class SchoolTermInline(admin.TabularInline):
    model = SchoolTerm
    extra = 0


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_on", "ends_on"]
    inlines = [SchoolTermInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The calendar keeps a year's shape in the cache: an edit here takes effect at once.
        academic_year_forget(start_year=form.instance.start_year)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "subject_area", "regulation", "status"]
    list_filter = ["kind", "status", "regulation"]
    search_fields = ["name", "subject_area"]
    filter_horizontal = ["curators"]
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A new regulation, curator or leader changes the association's obligations (reports' deadline engine).
        changes.announce("associations", ids=[form.instance.pk])


@admin.register(MembershipInvitation)
class MembershipInvitationAdmin(admin.ModelAdmin):
    """Read-only: an invitation changes only through the services (accept, decline, approve)."""

    list_display = ["user", "association", "role", "invited_by", "created_at", "decision", "decided_by"]
    list_filter = ["decision"]
    search_fields = ["user__last_name", "association__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
