"""The preferences page: language of the e-mails and how each group of events is delivered."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin

from .events import EventGroup
from .models import Preference, default_delivery


class PreferencesForm(BootstrapFormMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language of e-mails"), choices=[("en", "English"), ("ru", "Русский")])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        stated = dict(Preference.objects.filter(user=user).values_list("group", "delivery"))
        self.fields["language"].initial = getattr(user, "language", "") or "en"
        for group, label in EventGroup.choices:
            self.fields[f"group_{group}"] = forms.ChoiceField(
                label=label,
                choices=Preference.Delivery.choices,
                initial=stated.get(group, default_delivery(group)),
                widget=forms.RadioSelect,
            )
        self.style_widgets()

    def save(self) -> None:
        self.user.language = self.cleaned_data["language"]
        self.user.save(update_fields=["language"])
        for group in EventGroup.values:
            Preference.objects.update_or_create(
                user=self.user, group=group, defaults={"delivery": self.cleaned_data[f"group_{group}"]}
            )
