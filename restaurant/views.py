"""Login, logout and the home page that links to each dashboard."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


class LoginView(auth_views.LoginView):
    pass


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    return HttpResponse("home")
