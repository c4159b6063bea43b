from django.urls import path

from . import invitation_views, views

app_name = "members"

urlpatterns = [
    path("teachers/", views.TeacherListView.as_view(), name="teacher_list"),
    path("teachers/export.xlsx", views.TeacherExportView.as_view(), name="teacher_export"),
    path("teachers/attestation/", views.AttestationScheduleView.as_view(), name="attestation_schedule"),
    path("teachers/training/", views.TrainingScheduleView.as_view(), name="training_schedule"),
    path("teachers/import/", views.TeacherImportView.as_view(), name="teacher_import"),
    path("teachers/import/<int:pk>/", views.ImportJobView.as_view(), name="import_job"),
    path("teachers/import/<int:pk>/confirm/", views.ImportJobConfirmView.as_view(), name="import_job_confirm"),
    path("teachers/import/<int:pk>/rejected.xlsx", views.ImportJobRejectedView.as_view(), name="import_job_rejected"),
    path("teachers/import/<int:pk>/invite/", invitation_views.ImportJobInviteView.as_view(), name="import_job_invite"),
    path("teachers/invitations/", invitation_views.InvitationListView.as_view(), name="invitation_list"),
    path("teachers/invitations/new/", invitation_views.InvitationNewView.as_view(), name="invitation_new"),
    path(
        "teachers/invitations/<int:pk>/resend/",
        invitation_views.InvitationResendView.as_view(),
        name="invitation_resend",
    ),
    path("invite/code/", invitation_views.InvitationCodeView.as_view(), name="invitation_code"),
    path("invite/password/", invitation_views.InvitationPasswordView.as_view(), name="invitation_password"),
    path("invite/<str:token>/", invitation_views.InvitationOpenView.as_view(), name="invitation_open"),
    path("teachers/<int:pk>/", views.TeacherDetailView.as_view(), name="teacher_detail"),
    path("teachers/<int:pk>/history/", views.TeacherHistoryView.as_view(), name="teacher_history"),
    path("teachers/<int:pk>/files/<str:kind>/<int:item>/", views.TeacherFileView.as_view(), name="teacher_file"),
    path("teachers/<int:pk>/check/", views.ProfileCheckView.as_view(), name="teacher_check"),
    path("reviews/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("reviews/<int:pk>/", views.ChangeRequestReviewView.as_view(), name="change_review"),
    path("reviews/<int:pk>/evidence/", views.ChangeEvidenceView.as_view(), name="change_evidence"),
    path("me/", views.MyProfileView.as_view(), name="me"),
    path("me/contacts/", views.ContactsUpdateView.as_view(), name="contacts"),
    path("me/requests/<str:kind>/", views.ChangeRequestCreateView.as_view(), name="change_request"),
    path("me/requests/<int:pk>/again/", views.ChangeRequestResubmitView.as_view(), name="change_request_again"),
    path("me/confirm/", views.ProfileConfirmView.as_view(), name="confirm"),
    path("me/views/", views.ProfileViewsView.as_view(), name="profile_views"),
    path("me/consent/", views.ConsentView.as_view(), name="consent"),
]
