"""Form helpers shared by every app."""

import uuid
from typing import TYPE_CHECKING, Any

from django import forms

# The mixin is written for Django forms; the type checker sees that base.
_FormBase: Any = forms.BaseForm if TYPE_CHECKING else object


class BootstrapFormMixin(_FormBase):
    """Bootstrap 5 classes on every widget, so templates render fields as they are.

    Forms that add fields after `__init__` call `style_widgets()` again; classes
    already set (by a widget's attrs) are kept.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                continue  # rendered as a list of inputs by the template
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


TOKEN_FIELD = "submission_token"  # noqa: S105 - a field name, not a secret


def new_submission_token() -> str:
    return uuid.uuid4().hex


class OneTimeTokenMixin(_FormBase):
    """A create form's one-time token, in a hidden field (core.views.claim_submission).

    Rendered once with a fresh token; a re-display after a validation error keeps
    the token it was posted with, so the corrected post is still "the first".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[TOKEN_FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, max_length=64, initial=new_submission_token
        )
