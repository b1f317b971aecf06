"""Forms of the operations app."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, OneTimeTokenMixin
from members.models import State

from .choices import Consent, ParticipantRole
from .models import ControlledDelivery, JointOperation, OperationResult, ResultSeizure, RouteLeg

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _state_choices():
    return State.objects.exclude(status=State.Status.FORMER).by_name()


class JointOperationForm(OneTimeTokenMixin, BootstrapFormMixin, forms.ModelForm):
    """The operation and who takes part (the lead state is the author's own state)."""

    participants = forms.ModelMultipleChoiceField(
        label=_("Participating states"),
        queryset=State.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    transit_states = forms.ModelMultipleChoiceField(
        label=_("Transit states"),
        queryset=State.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    observer_states = forms.ModelMultipleChoiceField(
        label=_("Observer states"),
        queryset=State.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Observers follow the operation but do not consent."),
    )

    ROLE_FIELDS = {
        "participants": ParticipantRole.PARTICIPANT,
        "transit_states": ParticipantRole.TRANSIT,
        "observer_states": ParticipantRole.OBSERVER,
    }

    class Meta:
        model = JointOperation
        fields = [
            "code_name",
            "operation_type",
            "objective",
            "classification",
            "tlp",
            "area_description",
            "planned_start",
            "planned_end",
        ]
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "objective": forms.Textarea(attrs={"rows": 3}),
            "area_description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, lead_state: State, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_state = lead_state
        for name in self.ROLE_FIELDS:
            self.fields[name].queryset = _state_choices().exclude(pk=lead_state.pk)
        if self.instance.pk:
            by_role: dict[str, list[int]] = {}
            for p in self.instance.participations.all():
                by_role.setdefault(p.role, []).append(p.state_id)
            for name, role in self.ROLE_FIELDS.items():
                self.initial[name] = by_role.get(role, [])
        self.style_widgets()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The end cannot come before the start."))
        seen: dict[int, str] = {}
        for name in self.ROLE_FIELDS:
            for state in cleaned.get(name) or []:
                if state.pk in seen:
                    self.add_error(name, _("%(state)s is listed twice.") % {"state": state})
                seen[state.pk] = name
        return cleaned

    def participant_roles(self) -> dict[int, str]:
        """State id -> role, the lead state excluded."""
        roles = {}
        for name, role in self.ROLE_FIELDS.items():
            for state in self.cleaned_data.get(name) or []:
                roles[state.pk] = role
        return roles


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    expected_status = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class ConsentForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Consent.GRANTED, _("Grant consent")),
            (Consent.REFUSED, _("Refuse")),
            (Consent.WITHDRAWN, _("Withdraw consent")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    conditions = forms.CharField(
        label=_("Conditions, or the reason for a refusal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    national_case_reference = forms.CharField(
        label=_("National case reference"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    confirm_refusal = forms.BooleanField(
        label=_("I confirm that my state refuses to take part in this version of the operation."),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        """A refusal stops an operation for every state: it needs a reason and a
        deliberate confirmation, not one click on the wrong option."""
        data = super().clean()
        if data.get("decision") == Consent.REFUSED:
            if not (data.get("conditions") or "").strip():
                self.add_error("conditions", _("Give the reason for refusing: the lead state and the centre read it."))
            if not data.get("confirm_refusal"):
                self.add_error("confirm_refusal", _("Tick the box to confirm the refusal."))
        return data


class ControlledDeliveryForm(forms.ModelForm):
    class Meta:
        model = ControlledDelivery
        fields = ["consignment_description", "substitution", "tracker_identifiers"]
        widgets = {
            "consignment_description": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            "substitution": forms.Select(attrs={"class": "form-select"}),
            "tracker_identifiers": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        }


class RouteLegForm(forms.ModelForm):
    class Meta:
        model = RouteLeg
        fields = ["order", "from_state", "to_state", "handover_point", "planned_time", "actual_time"]
        widgets = {
            "order": forms.NumberInput(attrs={"class": "form-control", "min": 1}),
            "from_state": forms.Select(attrs={"class": "form-select"}),
            "to_state": forms.Select(attrs={"class": "form-select"}),
            "handover_point": forms.TextInput(attrs={"class": "form-control"}),
            "planned_time": DATETIME,
            "actual_time": DATETIME,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_state"].queryset = _state_choices()
        self.fields["to_state"].queryset = _state_choices()
        for name in ("planned_time", "actual_time"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from_state") and cleaned.get("from_state") == cleaned.get("to_state"):
            self.add_error("to_state", _("A leg goes from one state to another."))
        return cleaned


class BaseRouteLegFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        orders = [
            f.cleaned_data.get("order")
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("order")
        ]
        if len(orders) != len(set(orders)):
            raise forms.ValidationError(_("Each leg needs its own order number."))


RouteLegFormSet = inlineformset_factory(
    ControlledDelivery, RouteLeg, form=RouteLegForm, formset=BaseRouteLegFormSet, extra=2, can_delete=True
)


class OperationResultForm(forms.ModelForm):
    class Meta:
        model = OperationResult
        fields = [
            "arrests",
            "groups_dismantled",
            "cash_seized",
            "cash_currency",
            "firearms_seized",
            "vehicles_seized",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def clean_cash_currency(self):
        value = self.cleaned_data["cash_currency"].strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise forms.ValidationError(_("Use a three-letter ISO 4217 code, e.g. USD."))
        return value


class ResultSeizureForm(forms.ModelForm):
    """A seizure of the operation; optionally linked to an intel seizure report the user may see."""

    intel_reference = forms.CharField(
        label=_("Intel seizure report"),
        required=False,
        max_length=32,  # the width of intel references (CARICC-KZ-2026-000183)
        help_text=_("Reference of the seizure report exchanged about it, if any."),
    )

    class Meta:
        model = ResultSeizure
        fields = ["state", "seized_on", "substance", "quantity", "unit", "description"]
        widgets = {"seized_on": DATE}

    def __init__(self, *args, operation: JointOperation, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The seizing state is one of the operation's states.
        self.fields["state"].queryset = State.objects.filter(participations__operation=operation).by_name()
        self.order_fields([*self.Meta.fields, "intel_reference"])
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_intel_reference(self):
        reference = self.cleaned_data["intel_reference"].strip()
        if not reference:
            self.instance.intel_record = None
            return ""
        record = find_visible_seizure_record(self.user, reference)
        if record is None:
            # Same answer whether it does not exist or is not shared with the user: no leak.
            raise forms.ValidationError(_("No seizure report with this reference is visible to you."))
        self.instance.intel_record = record
        return reference


def find_visible_seizure_record(user, reference: str):
    """The intel seizure report with this reference, if the user may see it."""
    from intel.models import IntelRecord
    from intel.vocabularies import RecordKind

    return IntelRecord.objects.visible_to(user).filter(kind=RecordKind.SEIZURE, reference__iexact=reference).first()
