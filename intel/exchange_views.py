"""Record-page actions of issue 13: acknowledge receipt, extend the review date or archive,
and the list of the centre's own products."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.permissions import get_visible_or_404

from . import exchange
from .models import IntelRecord
from .views import RecordListView


class ReviewDateForm(forms.Form):
    review_date = forms.DateField(label=gettext_lazy("New review date"), widget=forms.DateInput(attrs={"type": "date"}))


@login_required
@require_POST
def acknowledge_receipt(request, pk: int):
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    exchange.acknowledge(request.user, record)
    messages.success(request, _("Receipt acknowledged."))
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
@require_POST
def review(request, pk: int, action: str):
    """Extend the review date or archive the record (the originator)."""
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    if not exchange.is_originator(request.user, record):
        raise PermissionDenied
    if action == "archive":
        exchange.archive(request.user, record)
        messages.success(request, _("Record archived."))
    else:
        form = ReviewDateForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Give a valid date."))
            exchange.extend_review(request.user, record, form.cleaned_data["review_date"])
            messages.success(request, _("Review date extended."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(record.get_absolute_url())


class CentreProductsView(RecordListView):
    """The centre's own products: analytical reports, alerts and bulletins (no originating state)."""

    heading = gettext_lazy("Centre products")
    mode = "centre"

    def scoped(self, qs):
        return qs.filter(originating_state__isnull=True)
