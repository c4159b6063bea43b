from django.urls import path

from . import event_urls, feed_urls, views

app_name = "meetings"

urlpatterns = [
    path("associations/<int:association>/schedule/<int:year>/", views.ScheduleView.as_view(), name="schedule"),
]
# The district's events and the personal calendar feed keep their routes in their own modules.
urlpatterns += event_urls.urlpatterns + feed_urls.urlpatterns
