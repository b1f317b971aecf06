"""Celery tasks of the operations app.

Transitions are announced through `operations.signals.operation_transitioned`;
the notifications app tells whoever must act or know (in the portal, and by
e-mail in each reader's language on the `notify` queue).
"""
