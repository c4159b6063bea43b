from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import notification_views, views
from .forms import LoginForm

handler400 = "rmo_portal.errors.bad_request"
handler403 = "rmo_portal.errors.permission_denied"
handler404 = "rmo_portal.errors.page_not_found"
handler500 = "rmo_portal.errors.server_error"

admin.site.site_header = "Методический портал: администрирование"
admin.site.site_title = "Методический портал"
admin.site.index_title = "Справочники и пользователи"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("start/", views.start, name="start"),
    path("start/head/", views.HeadStartView.as_view(), name="start_head"),
    path("start/methodist/", views.MethodistStartView.as_view(), name="start_methodist"),
    path("start/leader/", views.LeaderStartView.as_view(), name="start_leader"),
    path("start/secretary/", views.SecretaryStartView.as_view(), name="start_secretary"),
    path("start/teacher/", views.TeacherStartView.as_view(), name="start_teacher"),
    path("start/admin/", views.AdminStartView.as_view(), name="start_admin"),
    path("healthz", views.healthz, name="healthz"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("exports/", views.ExportJobListView.as_view(), name="export_list"),
    path("exports/<int:pk>/", views.ExportJobView.as_view(), name="export_job"),
    path("exports/<int:pk>/download/", views.ExportJobDownloadView.as_view(), name="export_download"),
    path("notifications/", notification_views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", notification_views.NotificationsReadAllView.as_view(), name="notifications_read"),
    path("notifications/<int:pk>/open/", notification_views.NotificationOpenView.as_view(), name="notification_open"),
    path("notifications/<int:pk>/read/", notification_views.NotificationReadView.as_view(), name="notification_read"),
    path(
        "notifications/settings/", notification_views.NotificationSettingsView.as_view(), name="notification_settings"
    ),
    path("notifications/failed/", notification_views.FailedMailListView.as_view(), name="notifications_failed"),
    path(
        "notifications/failed/<int:pk>/resend/",
        notification_views.FailedMailResendView.as_view(),
        name="notification_resend",
    ),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("members.urls")),
    path("associations/", include("associations.urls")),
    path("setup/", include("associations.setup_urls")),  # the first-run setup of a real installation
    path("", include("meetings.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_CEILING:
    # The benchmark's ceiling (bench/run sets BENCH_CEILING=1): absent from every other deployment.
    urlpatterns.append(path("bench/ceiling/", views.BenchCeilingView.as_view(), name="bench_ceiling"))
