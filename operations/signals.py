"""Signals other apps connect to (notifications...); operations sends, never listens."""

from django.dispatch import Signal

# Sent after every status transition of a joint operation, inside the transaction
# (use transaction.on_commit for side effects). Arguments: log (the TransitionLog:
# operation, transition name, from_status, to_status, by). Not sent while demo
# data is loaded (workflow.notifications_suppressed).
operation_transitioned = Signal()

# Sent when a material change of a proposed operation puts every consent back to
# pending (no status transition). Arguments: operation, by.
consents_reset = Signal()
