"""Signals other apps connect to (notifications, webhooks...); intel sends, never listens."""

from django.dispatch import Signal

# Sent after an originator changed a record's markings, inside the transaction
# (use transaction.on_commit for side effects). Arguments: record, old and new
# (dicts of tlp, handling_code, handling_note, classification), reason (may be
# empty for an upgrade), by (the user), downgrade (bool). A downgrade must reach
# every recipient state of the record.
record_remarked = Signal()

# Sent when states newly receive a record (created with recipients, or its
# dissemination widened), inside the transaction. Arguments: record, state_ids
# (the states newly reached), by (the user).
record_shared = Signal()

# Sent when states lose a record (its dissemination narrowed). Arguments: record,
# state_ids (the states that lost it), by.
record_withdrawn = Signal()

# Sent when a record is archived by its originator. Arguments: record, by.
record_archived = Signal()

# Sent once per request for information found overdue (intel.tasks.flag_overdue_rfis).
# Arguments: rfi (a RequestForInformation).
rfi_overdue = Signal()
