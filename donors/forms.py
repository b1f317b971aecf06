"""Forms of the donors app. Derived fields (status, USD values, rates) are never on a form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, OneTimeTokenMixin

from .choices import Closure
from .models import (
    Agreement,
    AgreementAttachment,
    BudgetLine,
    Donor,
    ExchangeRate,
    Instalment,
    Payment,
    Pledge,
    PledgingEvent,
    ReportingObligation,
)
from .money import ZERO

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CurrencyField(forms.CharField):
    """Three letters, upper-cased; the model validates against ISO 4217."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "form-control", "style": "text-transform: uppercase", "size": 4})

    def to_python(self, value):
        return (super().to_python(value) or "").strip().upper()


class DonorForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Donor
        fields = ["name", "type", "country", "focal_points", "confidential", "notes"]
        widgets = {"focal_points": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").strip().upper()


class PledgingEventForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = PledgingEvent
        fields = ["name", "date", "online", "venue", "notes"]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 3})}


class PledgeForm(OneTimeTokenMixin, BootstrapFormMixin, forms.ModelForm):
    currency = CurrencyField(label=_("Currency"), initial="USD", help_text=_("ISO 4217, e.g. USD, EUR."))

    class Meta:
        model = Pledge
        fields = [
            "donor",
            "event",
            "announced_on",
            "amount",
            "currency",
            "earmark",
            "earmark_detail",
            "year_from",
            "year_to",
            "conditions",
        ]
        widgets = {"announced_on": DATE, "conditions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = self.fields["donor"].queryset.filter(archived_at__isnull=True)
        if not self.instance.pk:
            year = timezone.localdate().year
            self.fields["year_from"].initial = year
            self.fields["year_to"].initial = year

    def clean_currency(self):
        currency = self.cleaned_data["currency"]
        # Recorded payments were converted into the pledge's currency: changing it
        # afterwards would silently make their amounts wrong.
        if self.instance.pk and currency != self.instance.currency and self.instance.payments.exists():
            raise forms.ValidationError(_("Payments are recorded against this pledge; its currency cannot change."))
        return currency


class BaseInstalmentFormSet(BaseInlineFormSet):
    """The schedule must add up to the pledge, so that 'paid' means the same in both."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        total = ZERO
        for form in self.forms:
            if form.cleaned_data and not form.cleaned_data.get("DELETE"):
                total += form.cleaned_data.get("amount") or ZERO
        amount = self.instance.amount
        if amount is not None and total != Decimal(amount):
            raise forms.ValidationError(
                _("The instalments add up to %(total)s but the pledge is %(amount)s."),
                params={"total": total, "amount": amount},
            )


class InstalmentForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Instalment
        fields = ["due_on", "amount"]
        widgets = {"due_on": DATE}


InstalmentFormSet = inlineformset_factory(
    Pledge,
    Instalment,
    form=InstalmentForm,
    formset=BaseInstalmentFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    can_delete=False,
)


class PaymentForm(OneTimeTokenMixin, BootstrapFormMixin, forms.ModelForm):
    currency = CurrencyField(label=_("Currency"), help_text=_("ISO 4217; may differ from the pledge's."))

    class Meta:
        model = Payment
        fields = ["value_date", "amount", "currency", "reference", "note"]
        widgets = {"value_date": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class AgreementForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["reference", "signed_on", "start_on", "end_on", "notes"]
        widgets = {"signed_on": DATE, "start_on": DATE, "end_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


class AttachmentForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = AgreementAttachment
        fields = ["name", "file"]

    def clean_file(self):
        # The portal's one upload policy (core.uploads), the same call as the API's upload.
        upload = self.cleaned_data["file"]
        self.instance.accept_upload(upload)
        return upload


class ObligationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ReportingObligation
        fields = ["kind", "period_start", "period_end", "due_on", "submitted_on", "accepted_on"]
        widgets = dict.fromkeys(["period_start", "period_end", "due_on", "submitted_on", "accepted_on"], DATE)


class CloseForm(BootstrapFormMixin, forms.Form):
    closure = forms.ChoiceField(label=_("Close as"), choices=Closure.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ExchangeRateForm(BootstrapFormMixin, forms.ModelForm):
    currency = CurrencyField(label=_("Currency"))

    class Meta:
        model = ExchangeRate
        fields = ["currency", "date", "rate_to_usd", "source"]
        widgets = {"date": DATE}


class RateImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Columns: currency, date (YYYY-MM-DD), rate_to_usd[, source].")
    )


class BudgetLineForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["year", "category", "description", "amount_usd"]


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
