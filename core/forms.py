"""Form helpers shared by every app."""

from django import forms


class BootstrapFormMixin:
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
