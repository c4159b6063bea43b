from django.contrib import admin, messages

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
from .services import WorkflowError, regulation_copy


class MeetingRuleInline(admin.TabularInline):
    model = MeetingRule
    extra = 0


class ProtocolRuleInline(admin.StackedInline):
    model = ProtocolRule
    extra = 0


class DocumentRuleInline(admin.TabularInline):
    model = DocumentRule
    extra = 0


class PublicationWindowInline(admin.TabularInline):
    model = PublicationWindow
    extra = 0


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    list_display = ["title", "district", "body_kind", "code", "copied_from"]
    list_filter = ["body_kind"]
    search_fields = ["title", "district"]
    inlines = [MeetingRuleInline, ProtocolRuleInline, DocumentRuleInline, PublicationWindowInline]
    actions = ["copy_regulation"]

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
