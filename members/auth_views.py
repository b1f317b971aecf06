"""Sign-in: Django's login view, with partner-system accounts kept to the API."""

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
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

    def form_invalid(self, form):
        # After a failure, say how many tries this username has left from this
        # address (django-axes counts them per username and address together).
        username = (form.data.get("username") or "").strip()
        tries_left = None
        if username:
            failures = AxesProxyHandler.get_failures(self.request, {"username": username})
            tries_left = max(settings.AXES_FAILURE_LIMIT - failures, 0)
        return self.render_to_response(self.get_context_data(form=form, tries_left=tries_left))
