"""Writes the operation page offers, in the API (issue 16): results, result seizures, and the
controlled delivery with its route legs.

The same forms as the UI validate the data (operations.forms), the same rules decide who
may write (workflow.can_enter_results / can_edit_delivery, 403), the operation must be
visible (404), and the rule is checked again under the operation's row lock.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import get_visible_or_404
from core.serializer_fields import StrictCharField
from members.models import State

from ..choices import Substitution
from ..forms import ControlledDeliveryForm, OperationResultForm, ResultSeizureForm, RouteLegForm
from ..models import ControlledDelivery, JointOperation, OperationResult, RouteLeg
from ..views import _locked_if
from ..workflow import can_edit_delivery, can_enter_results
from .serializers import ControlledDeliverySerializer, OperationResultSerializer, ResultSeizureSerializer


def _with_current(instance, form_class, data) -> dict:
    """The request's fields over the object's current values (or the model's defaults):
    a field left out keeps its value, as on the UI's form which always shows them all."""
    current = model_to_dict(instance, fields=form_class._meta.fields)
    current = {k: v for k, v in current.items() if v is not None}
    return {**current, **{k: v for k, v in data.items() if k in form_class._meta.fields}}


def _form_errors(form) -> dict:
    return {(k if k != "__all__" else "non_field_errors"): v for k, v in form.errors.items()}


def _state_pk(code):
    """The form wants a state's pk; the API speaks ISO codes (unknown code: the form says so)."""
    if code in (None, ""):
        return code
    return State.objects.filter(code=code).values_list("pk", flat=True).first() or -1


class _OperationWrite(APIView):
    allowed = staticmethod(lambda user, op: False)

    def load(self, request, pk) -> JointOperation:
        op = get_visible_or_404(JointOperation, request.user, pk=pk)
        if not self.allowed(request.user, op):
            raise exceptions.PermissionDenied()
        return op

    def locked(self, op, user):
        try:
            return _locked_if(op, user, self.allowed)
        except PermissionDenied as exc:  # pragma: no cover - raised on enter
            raise exceptions.PermissionDenied() from exc


class ResultsInput(OperationResultSerializer):
    class Meta(OperationResultSerializer.Meta):
        fields = [*OperationResultSerializer.Meta.fields, "notes"]


class OperationResultsView(_OperationWrite):
    """Set the operation's results (arrests, groups, cash, firearms, vehicles); omitted fields keep their values."""

    allowed = staticmethod(can_enter_results)

    @extend_schema(operation_id="operations_results_update", request=ResultsInput, responses=ResultsInput)
    def put(self, request, pk):
        op = self.load(request, pk)
        result = OperationResult.objects.filter(operation=op).first()
        data = _with_current(result or OperationResult(operation=op), OperationResultForm, request.data)
        form = OperationResultForm(data, instance=result)
        if not form.is_valid():
            raise exceptions.ValidationError(_form_errors(form))
        with self.locked(op, request.user) as locked:
            form.instance.operation = locked
            form.instance.entered_by = request.user
            saved = form.save()
        return Response(ResultsInput(saved).data)


class ResultSeizureInput(serializers.Serializer):
    state = StrictCharField(help_text="ISO code of one of the operation's states.")
    seized_on = serializers.DateField()
    substance = StrictCharField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    unit = StrictCharField()
    description = StrictCharField(required=False, allow_blank=True)
    intel_reference = StrictCharField(required=False, allow_blank=True, max_length=32)


class OperationResultSeizuresView(_OperationWrite):
    """Add a seizure to the operation's results (optionally citing an intel seizure report you see)."""

    allowed = staticmethod(can_enter_results)

    @extend_schema(
        operation_id="operations_result_seizures_create",
        request=ResultSeizureInput,
        responses={201: ResultSeizureSerializer},
    )
    def post(self, request, pk):
        op = self.load(request, pk)
        data = dict(request.data) if isinstance(request.data, dict) else {}
        data["state"] = _state_pk(data.get("state"))
        form = ResultSeizureForm(data, operation=op, user=request.user)
        if not form.is_valid():
            raise exceptions.ValidationError(_form_errors(form))
        with self.locked(op, request.user) as locked:
            form.instance.operation = locked
            form.instance.created_by = request.user
            seizure = form.save()
        return Response(ResultSeizureSerializer(seizure).data, status=status.HTTP_201_CREATED)


class RouteLegInput(serializers.Serializer):
    order = serializers.IntegerField(min_value=1)
    from_state = StrictCharField(help_text="ISO code.")
    to_state = StrictCharField(help_text="ISO code.")
    handover_point = StrictCharField(required=False, allow_blank=True)
    planned_time = serializers.DateTimeField(required=False, allow_null=True)
    actual_time = serializers.DateTimeField(required=False, allow_null=True)


class ControlledDeliveryInput(serializers.Serializer):
    """A PUT replaces the whole delivery: the substitution is always stated (one of its
    values), the consignment and the trackers may be blank."""

    consignment_description = StrictCharField(required=False, allow_blank=True)
    substitution = serializers.ChoiceField(choices=Substitution.choices)
    tracker_identifiers = StrictCharField(required=False, allow_blank=True, help_text="One per line.")
    legs = RouteLegInput(many=True, required=False, help_text="Replaces every leg, in order.")


class ControlledDeliveryView(_OperationWrite):
    """Replace the controlled delivery: consignment, substitution, trackers and its route legs."""

    allowed = staticmethod(can_edit_delivery)

    @extend_schema(
        operation_id="operations_controlled_delivery_update",
        request=ControlledDeliveryInput,
        responses=ControlledDeliverySerializer,
    )
    def put(self, request, pk):
        op = self.load(request, pk)
        body = ControlledDeliveryInput(data=request.data)
        body.is_valid(raise_exception=True)
        delivery = ControlledDelivery.objects.filter(operation=op).first() or ControlledDelivery(operation=op)
        form = ControlledDeliveryForm(_with_current(delivery, ControlledDeliveryForm, request.data), instance=delivery)
        legs = []
        for i, leg in enumerate(body.initial_data.get("legs") or []):
            data = {**leg, "from_state": _state_pk(leg.get("from_state")), "to_state": _state_pk(leg.get("to_state"))}
            legs.append((i, RouteLegForm(data, instance=RouteLeg())))
        errors = {} if form.is_valid() else _form_errors(form)
        leg_errors = [{} if f.is_valid() else _form_errors(f) for _i, f in legs]
        orders = [f.cleaned_data.get("order") for _i, f in legs if f.is_valid()]
        if any(leg_errors):
            errors["legs"] = leg_errors
        elif len(orders) != len(set(orders)):
            errors["legs"] = ["Each leg needs its own order number."]
        if errors:
            raise exceptions.ValidationError(errors)
        with self.locked(op, request.user), transaction.atomic():
            delivery = form.save()
            delivery.legs.all().delete()
            for _i, leg_form in legs:
                leg_form.instance.delivery = delivery
                leg_form.save()
        delivery = ControlledDelivery.objects.prefetch_related("legs__from_state", "legs__to_state").get(pk=delivery.pk)
        return Response(ControlledDeliverySerializer(delivery).data)
