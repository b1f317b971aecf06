"""Sign-in: Django's login view, with partner-system accounts kept to the API."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.utils.translation import gettext_lazy as _

from .roles import Role


class PortalAuthenticationForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.has_role(Role.PARTNER_SYSTEM):
            raise forms.ValidationError(
                _("This is a partner-system account; it uses the API with a token."), code="api_only"
            )


class PortalLoginView(LoginView):
    form_class = PortalAuthenticationForm
    redirect_authenticated_user = True
