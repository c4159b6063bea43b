from django.contrib import admin

from .models import District, Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen"]
    readonly_fields = ["name", "last_seen"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    """The district's names (set in the first-run setup): the one row, edited here later."""

    list_display = ["name", "portal_name", "organisation_name", "time_zone", "setup_done_at"]
    fields = ["name", "name_genitive", "organisation_name", "portal_name", "time_zone", "setup_done_at"]
    readonly_fields = ["setup_done_at"]

    def has_add_permission(self, request):
        return not District.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
