from django.urls import path

from incidents.site import board_views, views

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("incidents/<slug:slug>/", views.incident_page, name="incident"),
    path("vendors/<slug:slug>/", views.vendor_page, name="vendor"),
    path("services/<slug:slug>/", views.service_page, name="service"),
    path("status", board_views.status_board, name="status-board"),
]
