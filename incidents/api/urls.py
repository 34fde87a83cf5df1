from django.urls import path

from incidents.api import views

app_name = "api"
urlpatterns = [
    path("", views.docs_page, name="docs"),
    path("v1/openapi.json", views.openapi_document, name="openapi"),
    path("v1/incidents", views.incident_list, name="incidents"),
    path("v1/incidents/<slug:ref>", views.incident_detail, name="incident"),
    path("v1/vendors", views.vendor_list, name="vendors"),
    path("v1/vendors/<slug:slug>", views.vendor_detail, name="vendor"),
    path("v1/services", views.service_list, name="services"),
    path("v1/status", views.status, name="status"),
]
