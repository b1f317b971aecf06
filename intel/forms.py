"""UI forms: records and their markings, seizure reports with items, requests, sharing."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core import uploads
from core.forms import BootstrapFormMixin, OneTimeTokenMixin
from core.validators import validate_country_codes
from members.models import Agency, State

from . import handling, services
from .models import Identifier, IntelRecord, RemarkingRequest, SeizureItem, SeizureReport
from .vocabularies import TLP, RecordKind, RFIStatus, Substance, Urgency

MARKINGS = ["tlp", "handling_code", "handling_note", "classification", "source_reliability", "information_credibility"]


def active_states():
    return State.objects.exclude(status=State.Status.FORMER).by_name()


class RecordForm(OneTimeTokenMixin, BootstrapFormMixin, forms.ModelForm):
    """Text, markings and dissemination of a new record."""

    share_with = forms.ModelMultipleChoiceField(
        label=_("Share with"),
        queryset=State.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Your own state and the centre always see the record."),
    )
    shortcut = forms.ChoiceField(
        label=_("Also share with"), choices=services.shortcut_choices, required=False, widget=forms.RadioSelect
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)

    class Meta:
        model = IntelRecord
        fields = ["title", "summary", "body", "agency", "review_date", *MARKINGS]
        widgets = {
            "review_date": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["share_with"].queryset = active_states().exclude(pk=getattr(user, "state_id", None))
        self.fields["agency"].queryset = Agency.objects.filter(state_id=getattr(user, "state_id", None))
        self.fields["shortcut"].initial = ""
        self.style_widgets()

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            uploads.check_upload(upload)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("handling_code") == "H3" and not (data.get("handling_note") or "").strip():
            self.add_error("handling_note", _("Handling code H3 requires a description of the restrictions."))
        if "shortcut" in self.fields:
            try:
                handling.check_dissemination(data.get("tlp") or "", data.get("shortcut") or "")
            except handling.HandlingRuleError as exc:
                self.add_error("shortcut", exc.message)
        return data

    def record_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields if k in self.cleaned_data}


class GeneralRecordForm(RecordForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, RecordKind(k).label) for k in (RecordKind.ANALYSIS, RecordKind.ALERT, RecordKind.GENERAL)],
    )

    class Meta(RecordForm.Meta):
        fields = ["kind", *RecordForm.Meta.fields]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user is not None and not user.state_id:
            # The centre's staff originate the centre's products: analytical reports, alerts, bulletins.
            self.fields["kind"].choices = [
                (k, RecordKind(k).label) for k in (RecordKind.ANALYSIS, RecordKind.ALERT, RecordKind.BULLETIN)
            ]
            self.fields["share_with"].help_text = _("The centre always sees its own products.")


class RecordEditForm(BootstrapFormMixin, forms.ModelForm):
    """What the originator may change in place (dissemination has its own form).

    Server-owned fields (author, originating state, created_at, reference) are not
    fields. The view saves through services.edit_record, never form.save(), so the
    handling rules decide and a downgrade carries its reason.
    """

    reason = forms.CharField(
        label=_("Reason for a marking change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when a marking becomes less restrictive; every recipient state is told."),
    )

    class Meta:
        model = IntelRecord
        fields = ["title", "summary", "body", "review_date", "status", *MARKINGS]
        widgets = {"review_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def _post_clean(self):
        """Validate without copying the input onto the instance: the service re-reads
        the record under a lock and compares old and new markings."""

    def changes(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields if k in self.cleaned_data}

    def clean(self):
        data = super().clean()
        if data.get("handling_code") == "H3" and not (data.get("handling_note") or "").strip():
            self.add_error("handling_note", _("Handling code H3 requires a description of the restrictions."))
        return data


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166 country by name in the reader's language, in the reader's order
    (django-countries translates and sorts them when iterated)."""
    return [("", "—"), *((code, str(name)) for code, name in countries)]


def country_code_for(text: str) -> str | None:
    """The ISO code for what an officer typed: a code in any case ("kz"), or a
    country's name in English or Russian ("Kazakhstan", "Казахстан")."""
    text = text.strip()
    if len(text) == 2 and text.upper() in countries:
        return text.upper()
    for language in ("en", "ru"):
        code = countries.by_name(text, language=language)
        if code:
            return code
    return None


class CountryChoiceField(forms.ChoiceField):
    """A country picked by name in the active language; stored as its ISO code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", country_choices)
        super().__init__(**kwargs)


class SeizureForm(BootstrapFormMixin, forms.ModelForm):
    country = CountryChoiceField(label=_("Country"))
    route_origin = CountryChoiceField(label=_("Origin"), required=False)
    route_departure = CountryChoiceField(label=_("Departure"), required=False)
    route_destination = CountryChoiceField(label=_("Intended destination"), required=False)
    transit = forms.CharField(
        label=_("Transit states"),
        required=False,
        help_text=_("In order, separated by commas: names or ISO codes, e.g. Tajikistan, Uzbekistan or TJ, UZ."),
    )

    class Meta:
        model = SeizureReport
        fields = [
            "occurred_at",
            "country",
            "place",
            "place_type",
            "latitude",
            "longitude",
            "route_origin",
            "route_departure",
            "route_destination",
            "transport_mode",
            "conveyance",
            "concealment_method",
            "concealment_details",
            "persons_arrested",
        ]
        widgets = {"occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        # Most seizures happen in the officer's own state: start there.
        state = getattr(user, "state", None)
        if state is not None and state.code in countries:
            self.fields["country"].initial = state.code
        self.style_widgets()

    def clean_transit(self):
        raw = self.cleaned_data.get("transit") or ""
        codes, unknown = [], []
        for part in (p for p in raw.replace(";", ",").split(",") if p.strip()):
            code = country_code_for(part)
            (codes.append(code) if code else unknown.append(part.strip()))
        if unknown:
            raise ValidationError(
                _("Not a country: %(names)s. Use names or two-letter ISO codes, separated by commas."),
                params={"names": ", ".join(unknown)},
            )
        validate_country_codes(codes)
        return codes

    def details(self) -> dict:
        data = {k: self.cleaned_data[k] for k in self.Meta.fields}
        data["route_transit"] = self.cleaned_data.get("transit", [])
        return data


class SeizureItemForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SeizureItem
        fields = ["substance", "form", "quantity", "unit", "purity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class BaseSeizureItemFormSet(forms.BaseFormSet):
    """The seized items, with messages written for an officer rather than Django's
    "Please submit at least 1 form"."""

    default_error_messages = {
        "too_few_forms": _("Add at least one seized item: substance, form, quantity and unit."),
        "too_many_forms": _("A seizure report holds at most %(num)d items; split it into several reports."),
    }


SeizureItemFormSet = forms.formset_factory(
    SeizureItemForm,
    formset=BaseSeizureItemFormSet,
    extra=3,
    min_num=1,
    validate_min=True,
    max_num=50,
    validate_max=True,
)


class IdentifierForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Identifier
        fields = ["kind", "value", "date_of_birth"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


IdentifierFormSet = forms.formset_factory(IdentifierForm, extra=3, max_num=50, validate_max=True)


class RFIForm(RecordForm):
    """A request for information: the record's markings plus addressees, purpose and questions."""

    addressees = forms.ModelMultipleChoiceField(
        label=_("Addressee states"), queryset=State.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=500)
    questions = forms.CharField(
        label=_("Questions"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One question per line.")
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.STANDARD)
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_('Only with urgency "by a given date".'),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["share_with"]
        del self.fields["shortcut"]
        self.fields["addressees"].queryset = active_states().exclude(pk=getattr(self.user, "state_id", None))
        self.style_widgets()

    def clean(self):
        data = super().clean()
        if data.get("urgency") == Urgency.DATE:
            deadline = data.get("deadline")
            if not deadline:
                self.add_error("deadline", _("Give the date by which an answer is needed."))
            elif deadline <= timezone.now():
                self.add_error("deadline", _("The deadline must be in the future."))
        return data

    def question_list(self) -> list[str]:
        return [q.strip() for q in self.cleaned_data["questions"].splitlines() if q.strip()]


class RespondForm(BootstrapFormMixin, forms.ModelForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s, RFIStatus(s).label) for s in (RFIStatus.ANSWERED, RFIStatus.PARTLY_ANSWERED, RFIStatus.REFUSED)],
    )

    class Meta:
        model = IntelRecord
        fields = ["title", "summary", "body", *MARKINGS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class ShareForm(BootstrapFormMixin, forms.Form):
    share_with = forms.ModelMultipleChoiceField(
        label=_("Shared with"), queryset=State.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    shortcut = forms.ChoiceField(
        label=_("Also share with"), choices=services.shortcut_choices, required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["share_with"].queryset = active_states().exclude(pk=record.originating_state_id)
        self.fields["shortcut"].initial = ""

    def clean_shortcut(self):
        shortcut = self.cleaned_data.get("shortcut") or ""
        try:
            handling.check_dissemination(self.record.tlp, shortcut)
        except handling.HandlingRuleError as exc:
            raise forms.ValidationError(exc.message) from exc
        return shortcut


class DisseminationRequestForm(BootstrapFormMixin, forms.Form):
    states = forms.ModelMultipleChoiceField(
        label=_("Also share with"), queryset=State.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["states"].queryset = active_states().exclude(pk__in=record.shared_state_ids("view"))
        self.style_widgets()


class RemarkingRequestForm(BootstrapFormMixin, forms.ModelForm):
    """A recipient's or the centre's request that the originator change the markings."""

    class Meta:
        model = RemarkingRequest
        fields = ["tlp", "handling_code", "handling_note", "classification", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, record=None, **kwargs):
        if record is not None and not kwargs.get("initial"):
            kwargs["initial"] = handling.marking_values(record)
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def _post_clean(self):
        """No model instance here: the service builds and validates the request (it knows the record)."""

    def markings(self) -> dict:
        return {k: self.cleaned_data.get(k) or "" for k in handling.MARKING_FIELDS}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class RecordFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *list(RecordKind.choices)], required=False)
    state = forms.ModelChoiceField(
        label=_("Originating state"), queryset=State.objects.all(), required=False, to_field_name="code"
    )
    substance = forms.ChoiceField(
        label=_("Substance"), choices=[("", _("All")), *list(Substance.choices)], required=False
    )
    created_after = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_before = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tlp = forms.ChoiceField(label=_("TLP"), choices=[("", _("All")), *list(TLP.choices)], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()
