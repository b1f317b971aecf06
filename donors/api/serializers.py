"""API serializers of the donors app. Derived values (status, USD, rates) are read-only."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import Conflict
from core.serializer_fields import StrictCharField
from donors.choices import Closure
from donors.models import Donor, Instalment, Payment, Pledge, PledgingEvent
from donors.money import validate_currency


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Accepts only ids the requesting user may see (others are 'does not exist')."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)


class CurrencyField(serializers.CharField):
    """An ISO 4217 code; "eur" is upper-cased before the check (like the form's CurrencyField)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        super().__init__(**kwargs)
        self.validators.append(validate_currency)

    def to_internal_value(self, data) -> str:
        return super().to_internal_value(data).upper()


class DonorSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:donor-detail")

    class Meta:
        model = Donor
        fields = ["id", "url", "name", "type", "country", "focal_points", "confidential", "notes", "created_at"]
        read_only_fields = ["created_at"]

    def validate_country(self, value: str) -> str:
        value = (value or "").strip().upper()
        if value and not (len(value) == 2 and value.isalpha()):
            raise serializers.ValidationError(_("Enter a two-letter ISO 3166-1 code."))
        return value


class InstalmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instalment
        fields = ["id", "due_on", "amount", "status"]
        read_only_fields = ["id", "status"]


class PledgeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:pledge-detail")
    donor = VisiblePrimaryKeyRelatedField(queryset=Donor.objects.filter(archived_at__isnull=True))
    event = VisiblePrimaryKeyRelatedField(queryset=PledgingEvent.objects.all(), required=False, allow_null=True)
    instalments = InstalmentSerializer(many=True)
    currency = CurrencyField(required=False, default="USD")

    class Meta:
        model = Pledge
        fields = [
            "id",
            "url",
            "donor",
            "event",
            "announced_on",
            "amount",
            "currency",
            "rate_to_usd",
            "amount_usd",
            "earmark",
            "earmark_detail",
            "year_from",
            "year_to",
            "conditions",
            "status",
            "received_amount",
            "received_usd",
            "overpaid",
            "closure",
            "closure_reason",
            "closed_on",
            "instalments",
            "created_at",
        ]
        read_only_fields = [
            "rate_to_usd",
            "amount_usd",
            "status",
            "received_amount",
            "received_usd",
            "closure",
            "closure_reason",
            "closed_on",
            "created_at",
        ]

    def validate(self, attrs):
        instalments = attrs.get("instalments")
        probe = Pledge(**{k: v for k, v in attrs.items() if k != "instalments"})
        if self.instance is not None:
            for field in ("announced_on", "currency", "amount", "year_from", "year_to"):
                if field not in attrs:
                    setattr(probe, field, getattr(self.instance, field))
        probe.clean()  # DRF turns Django's ValidationError into field errors (400)
        if instalments is not None:
            total = sum((i["amount"] for i in instalments), start=probe.amount * 0)
            if not instalments:
                raise serializers.ValidationError({"instalments": [_("Give at least one instalment.")]})
            if total != probe.amount:
                raise serializers.ValidationError(
                    {"instalments": [_("The instalments must add up to the pledged amount.")]}
                )
        return attrs

    def create(self, validated_data):
        instalments = validated_data.pop("instalments")
        with transaction.atomic():
            pledge = Pledge.objects.create(created_by=self.context["request"].user, **validated_data)
            Instalment.objects.bulk_create([Instalment(pledge=pledge, **i) for i in instalments])
            pledge.refresh_status()
        return pledge

    def update(self, instance, validated_data):
        if instance.closure:
            raise Conflict(_("A closed pledge cannot be changed."))
        if "instalments" in validated_data:
            raise serializers.ValidationError(
                {"instalments": [_("The schedule is set when the pledge is created; change it in the portal.")]}
            )
        with transaction.atomic():
            for key, value in validated_data.items():
                setattr(instance, key, value)
            if "amount" in validated_data:
                total = sum((i.amount for i in instance.instalments.all()), start=instance.amount * 0)
                if total != instance.amount:
                    raise serializers.ValidationError(
                        {"amount": [_("The instalments must add up to the pledged amount.")]}
                    )
            instance.save()
        return instance


class CloseSerializer(serializers.Serializer):
    closure = serializers.ChoiceField(choices=Closure.choices)
    reason = StrictCharField()


class PaymentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:payment-detail")
    pledge = VisiblePrimaryKeyRelatedField(queryset=Pledge.objects.all())
    currency = CurrencyField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "url",
            "pledge",
            "value_date",
            "amount",
            "currency",
            "rate_to_usd",
            "amount_usd",
            "pledge_rate_to_usd",
            "pledge_amount",
            "reference",
            "note",
            "created_at",
        ]
        read_only_fields = ["rate_to_usd", "amount_usd", "pledge_rate_to_usd", "pledge_amount", "created_at"]

    def validate(self, attrs):
        probe = Payment(**attrs)
        probe.full_clean(exclude=["rate_to_usd", "amount_usd", "pledge_rate_to_usd", "pledge_amount"])
        return attrs

    def create(self, validated_data):
        return Payment.objects.create(recorded_by=self.context["request"].user, **validated_data)


# --- the funding summary's shape (documentation for the OpenAPI schema) ---------------


class _Money(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(max_digits=18, decimal_places=2, **kwargs)


class FundingTotalsSerializer(serializers.Serializer):
    requirement = _Money()
    committed = _Money()
    received = _Money()
    funded = _Money()
    gap = _Money()
    surplus = _Money()
    coverage = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)


class FundingBudgetSerializer(serializers.Serializer):
    category = StrictCharField()
    label = StrictCharField()
    amount_usd = _Money()


class FundingDonorSerializer(serializers.Serializer):
    name = StrictCharField()
    committed = _Money()
    received = _Money()
    funded = _Money()


class FundingEarmarkSerializer(FundingDonorSerializer):
    name = None
    earmark = StrictCharField()
    label = StrictCharField()


class FundingSummarySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    budget = FundingBudgetSerializer(many=True)
    by_donor = FundingDonorSerializer(many=True)
    by_earmark = FundingEarmarkSerializer(many=True)
    totals = FundingTotalsSerializer()
