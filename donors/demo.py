"""Demo donor data (idempotent): donors, the online donor conference of 20 April 2026,
pledges in USD and EUR, rates, payments, an overdue instalment, the 2026 budget."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .choices import BudgetCategory, DonorType, Earmark, ObligationKind
from .models import (
    Agreement,
    BudgetLine,
    Donor,
    ExchangeRate,
    Instalment,
    Payment,
    Pledge,
    PledgingEvent,
    ReportingObligation,
)

CONFERENCE = date(2026, 4, 20)

DONORS = [
    # name, type, country, confidential
    ("Government of Germany", DonorType.GOVERNMENT, "DE", False),
    ("Government of the United States", DonorType.GOVERNMENT, "US", False),
    ("Government of Japan", DonorType.GOVERNMENT, "JP", False),
    ("UNODC", DonorType.UN_ENTITY, "", False),
    ("European Union", DonorType.INTERGOVERNMENTAL, "", False),
    ("Silk Road Foundation", DonorType.FOUNDATION, "", False),
    ("Anonymous private donor", DonorType.PRIVATE, "", True),
]

BUDGET_2026 = [
    (BudgetCategory.STAFF, "Centre staff and liaison officers' support", "1450000.00"),
    (BudgetCategory.OPERATIONS, "Joint international operations", "620000.00"),
    (BudgetCategory.EQUIPMENT, "Field test kits and detection equipment", "380000.00"),
    (BudgetCategory.TRAINING, "Regional training courses", "240000.00"),
    (BudgetCategory.ICT, "Secure information exchange system", "410000.00"),
    (BudgetCategory.PREMISES, "Premises in Almaty and running costs", "300000.00"),
]


def _rates(today: date) -> None:
    """EUR and JPY rates for every day from January 2026 to a month ahead (demo values)."""
    day = date(2026, 1, 1)
    end = max(today, CONFERENCE) + timedelta(days=31)
    existing = set(ExchangeRate.objects.filter(currency__in=["EUR", "JPY"]).values_list("currency", "date"))
    new = []
    while day <= end:
        # A gentle, deterministic drift, so that each date has its own rate.
        eur = Decimal("1.0800") + Decimal(day.timetuple().tm_yday % 30) / Decimal(1000)
        jpy = Decimal("0.006700") + Decimal(day.timetuple().tm_yday % 20) / Decimal(100000)
        for currency, rate in (("EUR", eur), ("JPY", jpy)):
            if (currency, day) not in existing:
                new.append(ExchangeRate(currency=currency, date=day, rate_to_usd=rate, source="Demo data"))
        day += timedelta(days=1)
    ExchangeRate.objects.bulk_create(new, ignore_conflicts=True)


def _pledge(donor, *, event, announced_on, amount, currency, earmark, schedule, user, detail="", years=(2026, 2026)):
    pledge = Pledge.objects.filter(donor=donor, announced_on=announced_on, amount=Decimal(amount)).first()
    if pledge is None:
        pledge = Pledge.objects.create(
            donor=donor,
            event=event,
            announced_on=announced_on,
            amount=Decimal(amount),
            currency=currency,
            earmark=earmark,
            earmark_detail=detail,
            year_from=years[0],
            year_to=years[1],
            created_by=user,
        )
        for due_on, part in schedule:
            Instalment.objects.create(pledge=pledge, due_on=due_on, amount=Decimal(part))
        pledge.refresh_status()
    return pledge


def _payment(pledge, *, value_date, amount, currency, user, reference):
    if not Payment.objects.filter(pledge=pledge, reference=reference).exists():
        Payment.objects.create(
            pledge=pledge,
            value_date=value_date,
            amount=Decimal(amount),
            currency=currency,
            reference=reference,
            recorded_by=user,
        )


def seed(context: dict) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    user = context["users"]["donors"]
    _rates(today)

    event, _ = PledgingEvent.objects.update_or_create(
        name="Online donor conference on sustainable financing of CARICC",
        date=CONFERENCE,
        defaults={
            "online": True,
            "venue": "",
            "notes": "UNODC and CARICC; ambassadors of 26 states took part.",
        },
    )
    PledgingEvent.objects.get_or_create(
        name="Council of National Coordinators, donor round",
        date=date(2025, 11, 12),
        defaults={"venue": "Almaty"},
    )
    donors = {}
    for name, kind, country, confidential in DONORS:
        donors[name], _ = Donor.objects.update_or_create(
            name=name, defaults={"type": kind, "country": country, "confidential": confidential}
        )
    donors["Government of Germany"].focal_points = "Embassy in Astana, development cooperation desk"
    donors["Government of Germany"].save()

    for category, description, amount in BUDGET_2026:
        BudgetLine.objects.update_or_create(
            year=2026, category=category, description=description, defaults={"amount_usd": Decimal(amount)}
        )

    # Germany: EUR, committed by agreement, one instalment paid, the second due in autumn.
    de = _pledge(
        donors["Government of Germany"],
        event=event,
        announced_on=CONFERENCE,
        amount="500000.00",
        currency="EUR",
        earmark=Earmark.EQUIPMENT,
        detail="Detection equipment for border posts",
        user=user,
        schedule=[(date(2026, 6, 30), "250000.00"), (date(2026, 10, 31), "250000.00")],
    )
    agreement, _ = Agreement.objects.get_or_create(
        pledge=de,
        reference="DE-CARICC-2026-01",
        defaults={"signed_on": date(2026, 5, 15), "start_on": date(2026, 5, 15), "end_on": date(2027, 6, 30)},
    )
    ReportingObligation.objects.get_or_create(
        agreement=agreement,
        kind=ObligationKind.NARRATIVE_INTERIM,
        defaults={"period_start": date(2026, 5, 15), "period_end": date(2026, 9, 30), "due_on": date(2026, 10, 31)},
    )
    ReportingObligation.objects.get_or_create(
        agreement=agreement,
        kind=ObligationKind.FINANCIAL,
        defaults={"period_start": date(2026, 5, 15), "period_end": date(2026, 12, 31), "due_on": date(2027, 3, 31)},
    )
    _payment(de, value_date=date(2026, 7, 3), amount="250000.00", currency="EUR", user=user, reference="DE-TR-001")

    # United States: USD, core budget, announced at the conference, fully paid.
    us = _pledge(
        donors["Government of the United States"],
        event=event,
        announced_on=CONFERENCE,
        amount="750000.00",
        currency="USD",
        earmark=Earmark.CORE,
        user=user,
        schedule=[(date(2026, 6, 1), "750000.00")],
    )
    Agreement.objects.get_or_create(pledge=us, reference="US-INL-2026-07", defaults={"signed_on": date(2026, 5, 2)})
    _payment(us, value_date=date(2026, 6, 5), amount="750000.00", currency="USD", user=user, reference="US-TR-77")

    # UNODC: USD, training, committed, first instalment overdue (never paid).
    unodc = _pledge(
        donors["UNODC"],
        event=event,
        announced_on=CONFERENCE,
        amount="300000.00",
        currency="USD",
        earmark=Earmark.TRAINING,
        detail="Regional training programme",
        user=user,
        schedule=[(date(2026, 7, 15), "150000.00"), (date(2026, 12, 15), "150000.00")],
    )
    Agreement.objects.get_or_create(pledge=unodc, reference="UNODC-XAC-2026", defaults={"signed_on": date(2026, 6, 1)})

    # European Union: EUR, a joint operation, only announced.
    _pledge(
        donors["European Union"],
        event=event,
        announced_on=CONFERENCE,
        amount="400000.00",
        currency="EUR",
        earmark=Earmark.JOINT_OPERATION,
        detail="Joint operation on the northern route",
        user=user,
        schedule=[(date(2026, 11, 30), "400000.00")],
        years=(2026, 2027),
    )
    # Japan: JPY, ICT programme, paid in USD (cross-currency), partially.
    jp = _pledge(
        donors["Government of Japan"],
        event=event,
        announced_on=CONFERENCE,
        amount="30000000.00",
        currency="JPY",
        earmark=Earmark.PROGRAMME,
        detail="Secure information exchange",
        user=user,
        schedule=[(date(2026, 9, 1), "30000000.00")],
    )
    Agreement.objects.get_or_create(pledge=jp, reference="JICA-2026-CARICC", defaults={"signed_on": date(2026, 7, 1)})
    _payment(jp, value_date=date(2026, 9, 4), amount="100000.00", currency="USD", user=user, reference="JP-TR-1")

    # The foundation and the confidential donor: small, outside the conference.
    _pledge(
        donors["Silk Road Foundation"],
        event=None,
        announced_on=date(2026, 2, 10),
        amount="50000.00",
        currency="USD",
        earmark=Earmark.OTHER,
        user=user,
        schedule=[(date(2026, 3, 31), "50000.00")],
    )
    _pledge(
        donors["Anonymous private donor"],
        event=None,
        announced_on=date(2026, 3, 2),
        amount="25000.00",
        currency="USD",
        earmark=Earmark.CORE,
        user=user,
        schedule=[(date(2026, 12, 31), "25000.00")],
    )
    for pledge in Pledge.objects.all():
        pledge.refresh_status()
