from django.contrib import admin

from .models import Association, Membership, Regulation


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    list_display = ["title", "district", "body_kind", "code"]
    list_filter = ["body_kind"]
    search_fields = ["title", "district"]


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
