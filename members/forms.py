"""Forms of the members app."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPTokenForm

from .models import Notice, State


class StateForm(forms.ModelForm):
    class Meta:
        model = State
        fields = ["code", "name_en", "name_ru", "status", "joined_on"]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}


class NoticeForm(forms.ModelForm):
    """A notice and the states it goes to (the author's own state always sees it)."""

    shared_with = forms.ModelMultipleChoiceField(
        label=_("Share with"),
        queryset=State.objects.exclude(status=State.Status.FORMER),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Notice
        fields = ["title", "body"]


class TOTPConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not self.device.verify_token(token):
            raise forms.ValidationError(_("The code is not valid. Check your device's clock and try again."))
        return token


class VerifyForm(OTPTokenForm):
    """django-otp's token form; the user picks a device or types a backup code."""
