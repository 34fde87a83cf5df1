from django.urls import path

from incidents.alerts import views

urlpatterns = [
    path("alerts/<str:scope>/<slug:slug>/new", views.new_watch, name="alerts-new"),
    path("alerts/confirm/<str:token>", views.confirm, name="alerts-confirm"),
    path("alerts/unsubscribe/<str:token>", views.unsubscribe, name="alerts-unsubscribe"),
]
