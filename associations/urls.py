from django.urls import path

from . import views

app_name = "associations"

urlpatterns = [
    path("", views.AssociationListView.as_view(), name="list"),
    path("pdf/", views.AssociationListPdfView.as_view(), name="list_pdf"),
    path("<int:pk>/", views.AssociationDetailView.as_view(), name="detail"),
    path("<int:pk>/members/add/", views.MembershipProposeView.as_view(), name="member_add"),
    path("memberships/<int:pk>/end/", views.MembershipEndView.as_view(), name="member_end"),
    path(
        "invitations/<int:pk>/accept/",
        views.InvitationDecisionView.as_view(action="accept"),
        name="invitation_accept",
    ),
    path(
        "invitations/<int:pk>/decline/",
        views.InvitationDecisionView.as_view(action="decline"),
        name="invitation_decline",
    ),
    path("invitations/<int:pk>/approve/", views.InvitationApproveView.as_view(), name="invitation_approve"),
    path("orders/", views.OrderListView.as_view(), name="order_list"),
    path("orders/new/", views.OrderCreateView.as_view(), name="order_create"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/edit/", views.OrderUpdateView.as_view(), name="order_update"),
    path("orders/<int:pk>/submit/", views.OrderSubmitView.as_view(), name="order_submit"),
    path("orders/<int:pk>/sign/", views.OrderSignView.as_view(), name="order_sign"),
    path("orders/<int:pk>/return/", views.OrderReturnView.as_view(), name="order_return"),
    path("orders/<int:pk>/revoke/", views.OrderRevokeView.as_view(), name="order_revoke"),
    path("orders/<int:pk>/pdf/", views.OrderPdfView.as_view(), name="order_pdf"),
    path("orders/<int:pk>/attachments/", views.OrderAttachmentAddView.as_view(), name="order_attach"),
    path("orders/<int:pk>/attachments/<int:item>/", views.OrderAttachmentView.as_view(), name="order_attachment"),
    path("regulations/", views.RegulationListView.as_view(), name="regulation_list"),
    path("regulations/<int:pk>/", views.RegulationDetailView.as_view(), name="regulation_detail"),
]
