from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AccessLog, DestructionAct, ImportJob, School, Teacher, User


class TeacherInline(admin.StackedInline):
    model = Teacher
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "patronymic", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "last_name", "first_name", "email"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Роль в портале", {"fields": ("patronymic", "role")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Личные данные", {"fields": ("last_name", "first_name", "patronymic", "email", "role")}),
    )
    inlines = [TeacherInline]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
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
