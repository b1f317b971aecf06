"""Signals other apps connect to (notifications...); reports sends, never listens."""

from django.dispatch import Signal

# Sent when a report's build ends (succeeded or failed). Arguments: report.
report_finished = Signal()
