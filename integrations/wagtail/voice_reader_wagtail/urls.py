"""The app's one address: the receiver of voice-reader's callbacks."""

from django.urls import path

from voice_reader_wagtail import views

app_name = "voice_reader_wagtail"
urlpatterns = [
    path("callback/", views.callback, name="callback"),
]
