"""The form to request a report in the UI (the API validates through the same kinds)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import OneTimeTokenMixin

from .choices import ReportFormat
from .kinds import PeriodForm, get_kind, kinds_for

# Where the UI keeps the format the user last asked for (the session: it lasts as long
# as the login, and needs no column on the user).
LAST_FORMAT_SESSION_KEY = "reports_last_format"


def last_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before `today`'s."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


class ReportRequestForm(OneTimeTokenMixin, PeriodForm):
    """Kind and format, then the period and states; the kind validates the rest.

    Unbound, the period is last month (the report most people want) and the format
    the one the user chose last time (`last_format`), else XLSX.
    """

    field_order = ["kind", "format", "date_from", "date_to", "states"]

    kind = forms.ChoiceField(label=_("Report"))
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices, initial=ReportFormat.XLSX)

    def __init__(self, *args, user, last_format: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("date_from", last_month(timezone.localdate())[0])
            self.initial.setdefault("date_to", last_month(timezone.localdate())[1])
            if last_format in ReportFormat.values:
                self.initial.setdefault("format", last_format)
        self.fields["kind"].choices = [(k.code, k.label) for k in kinds_for(user)]
        self.fields["date_from"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["date_to"].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["states"].widget.attrs["size"] = 8
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select | forms.SelectMultiple) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if name == "states":
                field.widget.attrs["class"] = "form-select"

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("kind"):
            return cleaned
        raw = {
            "date_from": cleaned["date_from"].isoformat(),
            "date_to": cleaned["date_to"].isoformat(),
            "states": cleaned.get("states") or [],
        }
        try:
            self.parameters = get_kind(cleaned["kind"]).clean_parameters(raw)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned
