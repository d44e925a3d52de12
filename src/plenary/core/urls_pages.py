from django.contrib.auth import views as auth_views
from django.urls import path, reverse

from plenary.organisations.models import Membership

app_name = "core"


class LoginView(auth_views.LoginView):
    """Signs in and, unless a page was asked for, opens the page for the person's role."""

    template_name = "core/login.html"

    def get_default_redirect_url(self):
        user = self.request.user
        roles = set(user.memberships.values_list("role", flat=True))
        if not user.is_superuser and Membership.Role.ORGANISER not in roles:
            if Membership.Role.COORDINATOR in roles:
                return reverse("registrations:agency-home")
            if Membership.Role.CHECKIN in roles:
                return reverse("checkin:home")
        return super().get_default_redirect_url()


urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
