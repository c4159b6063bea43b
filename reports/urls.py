from django.urls import path

from . import dashboard_views, public, views

app_name = "reports"

urlpatterns = [
    path("associations/<int:association>/documents/<int:year>/", views.DocumentsView.as_view(), name="documents"),
    path("associations/<int:association>/documents/<int:year>/new/", views.FilingCreateView.as_view(), name="create"),
    path("methodology/", public.MethodicalWorkView.as_view(), name="public"),
    path("methodology/search/", public.PublicSearchView.as_view(), name="public_search"),
    path("documents/summary.xlsx", views.SummaryExportView.as_view(), name="summary"),
    path(
        "associations/<int:association>/mentorship/<int:year>/",
        views.MentorshipAddView.as_view(),
        name="mentorship_add",
    ),
    path("mentorship/<int:pk>/delete/", views.MentorshipRemoveView.as_view(), name="mentorship_remove"),
    path("documents/review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("documents/<int:pk>/", views.FilingDetailView.as_view(), name="detail"),
    path("documents/<int:pk>/edit/", views.FilingEditView.as_view(), name="edit"),
    path("documents/<int:pk>/discussion/", views.DiscussionOpenView.as_view(), name="discussion_open"),
    path("documents/<int:pk>/comments/", views.CommentView.as_view(), name="comment"),
    path("documents/<int:pk>/vote/", views.VoteView.as_view(), name="vote"),
    path("documents/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("documents/<int:pk>/return/", views.ReturnView.as_view(), name="return"),
    path("documents/<int:pk>/accept/", views.AcceptView.as_view(), name="accept"),
    path("documents/<int:pk>/approval/", views.ApprovalView.as_view(), name="approval"),
    path("documents/<int:pk>/versions/", views.VersionsView.as_view(), name="versions"),
    path("documents/<int:pk>/pdf/", views.FilingPdfView.as_view(), name="pdf"),
    path("deadlines/", dashboard_views.DeadlinesView.as_view(), name="deadlines"),
    path("deadlines/export.xlsx", dashboard_views.DeadlinesExportView.as_view(), name="deadlines_export"),
    path("deadlines/<int:pk>/", dashboard_views.ObligationDetailView.as_view(), name="obligation"),
    path("deadlines/<int:pk>/waive/", dashboard_views.ObligationWaiveView.as_view(), name="obligation_waive"),
]
