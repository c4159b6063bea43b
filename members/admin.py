from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.cache import cache

from rmo_portal.search import FoldedSearchAdminMixin

from .middleware import CURRENT_CACHE_KEY
from .models import AccessLog, Consent, ConsentDocument, DestructionAct, ImportJob, School, Teacher, User


class TeacherInline(admin.StackedInline):
    model = Teacher
    can_delete = False


@admin.register(User)
class UserAdmin(FoldedSearchAdminMixin, BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "patronymic", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "last_name", "first_name", "email"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Роль в портале", {"fields": ("patronymic", "role")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Личные данные", {"fields": ("last_name", "first_name", "patronymic", "email", "role")}),
    )
    inlines = [TeacherInline]

    def save_model(self, request, obj, form, change):
        obj.refresh_sort_key()
        super().save_model(request, obj, form, change)


@admin.register(School)
class SchoolAdmin(FoldedSearchAdminMixin, admin.ModelAdmin):
    list_display = ["short_name", "name"]
    search_fields = ["short_name", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: read in the admin, never edited there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["viewed_at", "viewer", "action", "teacher", "detail"]
    list_filter = ["action"]
    list_select_related = ["viewer", "teacher__user"]
    date_hierarchy = "viewed_at"


@admin.register(DestructionAct)
class DestructionActAdmin(ReadOnlyAdmin):
    list_display = ["number", "done_at", "reason", "consent_withdrawn_on"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "file_name", "status", "created_by", "confirmed_by"]
    list_filter = ["status"]
    exclude = ["preview"]


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(admin.ModelAdmin):
    """A new version is published here; a version someone has consented to is kept as it was."""

    list_display = ["version", "title", "published_on"]
    search_fields = ["version", "title"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Consent.objects.filter(document=obj).exists():
            return ["version", "title", "text", "published_on"]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not Consent.objects.filter(document=obj).exists()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A newly published version is asked for at once, not after the middleware's cache expires.
        cache.delete(CURRENT_CACHE_KEY)


@admin.register(Consent)
class ConsentAdmin(FoldedSearchAdminMixin, ReadOnlyAdmin):
    """Consents are given and withdrawn by the people themselves, on their pages."""

    list_display = ["user", "document", "given_at", "publish_allowed", "withdrawn_at"]
    list_filter = ["document", "publish_allowed"]
    list_select_related = ["user", "document"]
    search_fields = ["user__last_name", "user__first_name"]

    def has_delete_permission(self, request, obj=None):
        return False
