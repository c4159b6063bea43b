from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import School, Teacher, User


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
