"""The record page's exchange panel: receipts, acknowledgement, review date, RFIs about it."""

from django import template
from django.utils import timezone

from .. import exchange
from ..models import IntelRecord, RequestForInformation
from ..vocabularies import RecordStatus

register = template.Library()


@register.inclusion_tag("intel/includes/exchange_panel.html", takes_context=True)
def exchange_panel(context, record):
    user = context["request"].user
    originator = exchange.is_originator(user, record)
    visible = IntelRecord.objects.visible_to(user)
    return {
        "request": context["request"],
        "record": record,
        "csrf_token": context.get("csrf_token"),
        "receipts": exchange.receipts(record) if exchange.may_see_receipts(user, record) else None,
        "can_acknowledge": exchange.can_acknowledge(user, record),
        "may_review": originator and record.status == RecordStatus.ACTIVE,
        "review_due": bool(record.review_date and record.review_date <= timezone.localdate()),
        "may_ask": bool(user.state_id) and user.state_id != record.originating_state_id,
        # Requests about this record that the user may see (by their own visibility).
        "rfis_about": visible.filter(rfi__about=record).only("pk", "reference", "title"),
    }


@register.simple_tag(takes_context=True)
def rfi_about_link(context, rfi: RequestForInformation):
    """The record an RFI asks about, only if the reader may see it (else nothing)."""
    if rfi is None or not rfi.about_id:
        return None
    user = context["request"].user
    return IntelRecord.objects.visible_to(user).filter(pk=rfi.about_id).only("pk", "reference").first()
