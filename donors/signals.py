"""Signals other apps connect to (notifications...); donors sends, never listens."""

from django.dispatch import Signal

# Sent for each reminder the daily task sends (inside its transaction). Arguments:
# item (an Instalment or a ReportingObligation), kind ("before" or "overdue").
reminder_sent = Signal()
