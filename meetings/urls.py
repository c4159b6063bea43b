from django.urls import path

from . import event_urls, feed_urls, views

app_name = "meetings"

urlpatterns = [
    path("associations/<int:association>/schedule/<int:year>/", views.ScheduleView.as_view(), name="schedule"),
    path(
        "associations/<int:association>/schedule/<int:year>/approve/",
        views.ScheduleApproveView.as_view(),
        name="schedule_approve",
    ),
    path("associations/<int:association>/meetings/new/", views.MeetingCreateView.as_view(), name="create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="detail"),
    path("meetings/<int:pk>/edit/", views.MeetingUpdateView.as_view(), name="update"),
    path("meetings/<int:pk>/cancel/", views.MeetingCancelView.as_view(), name="cancel"),
    path("meetings/<int:pk>/invite/", views.MeetingInviteView.as_view(), name="invite"),
    path("meetings/<int:pk>/agenda/", views.AgendaItemAddView.as_view(), name="item_add"),
    path("meetings/<int:pk>/agenda/<int:item>/delete/", views.AgendaItemDeleteView.as_view(), name="item_delete"),
    path("meetings/<int:pk>/agenda/<int:item>/move/", views.AgendaItemMoveView.as_view(), name="item_move"),
    path("meetings/<int:pk>/agenda/<int:item>/materials/", views.AgendaMaterialAddView.as_view(), name="material_add"),
    path("meetings/<int:pk>/materials/<int:material>/", views.AgendaMaterialView.as_view(), name="material"),
    path("meetings/<int:pk>/agenda/<int:item>/decisions/", views.DecisionAddView.as_view(), name="decision_add"),
    path("meetings/<int:pk>/decisions/<int:decision>/done/", views.DecisionDoneView.as_view(), name="decision_done"),
    path(
        "meetings/<int:pk>/decisions/<int:decision>/binding/",
        views.DecisionBindingView.as_view(),
        name="decision_binding",
    ),
    path("meetings/<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("meetings/<int:pk>/guests/", views.GuestAddView.as_view(), name="guest_add"),
    path("meetings/<int:pk>/guests/<int:guest>/delete/", views.GuestRemoveView.as_view(), name="guest_remove"),
    path("meetings/<int:pk>/protocol/", views.ProtocolStartView.as_view(), name="protocol_start"),
    path("protocols/<int:pk>/", views.ProtocolDetailView.as_view(), name="protocol"),
    path("protocols/<int:pk>/edit/", views.ProtocolEditView.as_view(), name="protocol_edit"),
    path("protocols/<int:pk>/submit/", views.ProtocolSubmitView.as_view(), name="protocol_submit"),
    path("protocols/<int:pk>/withdraw/", views.ProtocolWithdrawView.as_view(), name="protocol_withdraw"),
    path("protocols/<int:pk>/sign/", views.ProtocolSignView.as_view(), name="protocol_sign"),
    path("protocols/<int:pk>/return/", views.ProtocolReturnView.as_view(), name="protocol_return"),
    path("protocols/<int:pk>/accept/", views.ProtocolAcceptView.as_view(), name="protocol_accept"),
    path("protocols/<int:pk>/correct/", views.ProtocolCorrectView.as_view(), name="protocol_correct"),
    path("protocols/<int:pk>/scan/", views.ProtocolScanView.as_view(), name="protocol_scan"),
    path("protocols/<int:pk>/scan/file/", views.ProtocolScanDownloadView.as_view(), name="protocol_scan_file"),
    path("protocols/<int:pk>/pdf/", views.ProtocolPdfView.as_view(), name="protocol_pdf"),
    path("protocols/<int:pk>/versions/<int:number>/", views.ProtocolVersionView.as_view(), name="protocol_version"),
]
# The district's events and the personal calendar feed keep their routes in their own modules.
urlpatterns += event_urls.urlpatterns + feed_urls.urlpatterns
