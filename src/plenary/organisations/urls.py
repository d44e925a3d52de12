from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from plenary.core.ratelimit import Limit, check, client_address, hit, rate_limited
from plenary.organisations.models import Membership
from plenary.organisations.views import accept_invitation

app_name = "accounts"

RESET_MAILS_PER_ADDRESS = 3
RESET_MAILS_PER_CLIENT = 20
# Wrong passwords: per account (whoever tries) and per client (whichever accounts), in 15 minutes.
# Checked before the password is hashed, so a throttled guess costs no CPU.
LOGIN_FAILURES_PER_ACCOUNT = Limit("login-account", 10, 900)
LOGIN_FAILURES_PER_CLIENT = Limit("login-client", 30, 900)


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing to check a password once an account or a client has failed too
    often; a success clears the account's count."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip().lower()
        client = client_address(self.request) if self.request is not None else ""
        uses = ((LOGIN_FAILURES_PER_ACCOUNT, username), (LOGIN_FAILURES_PER_CLIENT, client))
        message = _("Too many failed sign-ins. Please wait 15 minutes and try again, or reset your password.")
        check(*uses, message=message)
        try:
            cleaned = super().clean()
        except ValidationError:
            hit(*uses, message=message)
            raise
        LOGIN_FAILURES_PER_ACCOUNT.clear(username)
        return cleaned


class LoginView(auth_views.LoginView):
    """Signs in and, unless a page was asked for, opens the page for the person's role."""

    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm

    def get_default_redirect_url(self):
        user = self.request.user
        roles = set(user.memberships.values_list("role", flat=True))
        if not user.is_superuser and Membership.Role.ORGANISER not in roles:
            if Membership.Role.COORDINATOR in roles:
                return reverse("registrations:agency-home")
            if Membership.Role.CHECKIN in roles:
                return reverse("checkin:home")
        return super().get_default_redirect_url()


# Staff accounts — organisers, agency coordinators, door staff — change their own password, or ask
# for a link by email when they have forgotten it. Django's views and forms, in Plenary's pages.


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/account_form.html"
    success_url = reverse_lazy("accounts:password-change-done")
    extra_context = {"title": _("Change your password"), "button": _("Change password")}


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/account_message.html"
    extra_context = {"title": _("Password changed"), "message": _("Your password has been changed.")}


class PoliteResetForm(PasswordResetForm):
    """Sends the reset link at most a few times an hour per address and per client, and answers the
    same whether or not the address belongs to an account (Django's view already does). The mail is
    sent at once rather than by the background worker: the queue's table would otherwise hold a
    working reset link."""

    client = ""

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"].strip().lower()
        if rate_limited(
            (f"password-reset:{email}", RESET_MAILS_PER_ADDRESS),
            (f"password-reset-client:{self.client}", RESET_MAILS_PER_CLIENT),
        ):
            return
        # The link points at PLENARY_BASE_URL, never at whatever Host header the request carried.
        base = urlsplit(settings.BASE_URL)
        kwargs.update(domain_override=base.netloc, use_https=base.scheme == "https")
        super().save(*args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/account_form.html"
    form_class = PoliteResetForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")
    extra_context = {
        "title": _("Forgotten your password?"),
        "intro": _(
            "Enter the email address of your staff account. If it belongs to an account, we send a link "
            "to choose a new password; the link works once, for three days."
        ),
        "button": _("Send me a link"),
    }

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.client = client_address(self.request)
        return form


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/account_message.html"
    extra_context = {
        "title": _("Check your email"),
        "message": _(
            "If that address belongs to a staff account, a link to choose a new password is on its way. "
            "It may take a few minutes; look in the junk folder too."
        ),
    }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/account_form.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    extra_context = {"title": _("Choose a new password"), "button": _("Save the new password")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context.get("validlink"):
            context["intro"] = _(
                "This link has already been used or has expired. Ask for a new one from the sign-in page."
            )
        return context


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/account_message.html"
    extra_context = {
        "title": _("Password saved"),
        "message": _("Your new password is saved. You can sign in with it now."),
        "sign_in": True,
    }


urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    # A staff invitation's link (organisations/views.py): choose a password, land signed in.
    path("accounts/invitation/<str:token>/", accept_invitation, name="invitation"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password-change"),
    path("accounts/password/done/", PasswordChangeDoneView.as_view(), name="password-change-done"),
    path("accounts/password/reset/", PasswordResetView.as_view(), name="password-reset"),
    path("accounts/password/reset/sent/", PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
