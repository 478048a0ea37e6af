from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit_log"),
    path("center/", views.switch_center, name="switch_center"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
    path("", views.home, name="home"),
]
