from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("teachers/", views.TeacherListView.as_view(), name="teacher_list"),
    path("teachers/<int:pk>/", views.TeacherDetailView.as_view(), name="teacher_detail"),
    path("teachers/<int:pk>/history/", views.TeacherHistoryView.as_view(), name="teacher_history"),
    path("teachers/<int:pk>/check/", views.ProfileCheckView.as_view(), name="teacher_check"),
    path("reviews/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("reviews/<int:pk>/", views.ChangeRequestReviewView.as_view(), name="change_review"),
    path("me/", views.MyProfileView.as_view(), name="me"),
    path("me/contacts/", views.ContactsUpdateView.as_view(), name="contacts"),
    path("me/requests/<str:kind>/", views.ChangeRequestCreateView.as_view(), name="change_request"),
    path("me/confirm/", views.ProfileConfirmView.as_view(), name="confirm"),
    path("me/views/", views.ProfileViewsView.as_view(), name="profile_views"),
    path("me/consent/", views.ConsentView.as_view(), name="consent"),
]
