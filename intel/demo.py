"""Demo intel content: seizure reports shared bilaterally, with all members and with
members and observers; open, answered and overdue requests; identifiers that hit.

Idempotent: each demo record is found by its title and originating state first.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from . import services
from .models import IdentifierStopWord, IntelRecord, RequestForInformation, normalise_identifier
from .vocabularies import IdentifierKind, RFIStatus, Urgency

MARKINGS = {
    "tlp": "AMBER",
    "handling_code": "H2",
    "classification": "restricted",
    "source_reliability": "B",
    "information_credibility": "2",
}


def _existing(title: str, state) -> IntelRecord | None:
    return IntelRecord.objects.filter(title=title, originating_state=state).first()


def _seizure(user, title, *, recipients=(), shortcut="", items, place, place_type, identifiers=(), **extra):
    found = _existing(title, user.state)
    if found:
        return found
    return services.create_seizure(
        user=user,
        fields={"title": title, "summary": extra.pop("summary", ""), **MARKINGS, **extra.pop("markings", {})},
        seizure={
            "occurred_at": timezone.now() - timedelta(days=extra.pop("days_ago", 3)),
            "country": user.state.code,
            "place": place,
            "place_type": place_type,
            "route_origin": extra.pop("origin", "AF"),
            "route_transit": extra.pop("transit", []),
            "route_destination": extra.pop("destination", "RU"),
            "transport_mode": extra.pop("transport", "road"),
            "conveyance": extra.pop("conveyance", ""),
            "concealment_method": extra.pop("concealment", "vehicle_cavity"),
            "persons_arrested": extra.pop("arrested", 1),
        },
        items=items,
        recipients=recipients,
        shortcut=shortcut,
        identifiers=identifiers,
    )


def _rfi(user, title, addressees, questions, urgency=Urgency.STANDARD, identifiers=()):
    found = _existing(title, user.state)
    if found:
        return found
    return services.create_rfi(
        user=user,
        fields={"title": title, **MARKINGS},
        addressees=addressees,
        purpose="Criminal investigation of a trafficking group",
        legal_basis="CARICC Agreement, art. 6",
        questions=questions,
        urgency=urgency,
        identifiers=identifiers,
    )


def seed(context: dict) -> None:
    users, states = context["users"], context["states"]
    kz, uz, kg, ru, tj = (users[f"officer-{c}"] for c in ("kz", "uz", "kg", "ru", "tj"))

    for kind, value, note in [
        # Values officers type when the real one is not known: matching on them
        # would link unrelated records.
        (IdentifierKind.PHONE, "0000000000", "dummy number entered when unknown"),
        ("", "unknown", "typed when the value is not known"),
        (IdentifierKind.PLATE, "none", "typed when there is no plate"),
    ]:
        IdentifierStopWord.objects.get_or_create(
            kind=kind, normalised=normalise_identifier(value, kind or None), defaults={"note": note}
        )

    _seizure(
        kz,
        "Heroin in a lorry at the Zhibek Zholy crossing",
        recipients=[states["UZ"]],
        summary="148 kg of heroin in a hidden compartment of a lorry from Tajikistan.",
        place="Zhibek Zholy border crossing",
        place_type="border",
        transit=["TJ", "UZ"],
        conveyance="Lorry 01KZ777ABA",
        items=[{"substance": "heroin", "form": "powder", "quantity": Decimal("148.2"), "unit": "kg", "purity": 61}],
        identifiers=[
            {"kind": IdentifierKind.PLATE, "value": "01 KZ 777 ABA"},
            {"kind": IdentifierKind.PHONE, "value": "+7 701 555 12 34"},
        ],
    )
    _seizure(
        kg,
        "Hashish and a known plate at Osh",
        recipients=[states["TJ"]],
        summary="Second sighting of a lorry known from an earlier case.",
        place="Osh, ring road",
        place_type="road",
        items=[{"substance": "cannabis_resin", "form": "plant", "quantity": Decimal("32"), "unit": "kg"}],
        identifiers=[{"kind": IdentifierKind.PLATE, "value": "01KZ777ABA"}],
    )
    _seizure(
        uz,
        "Methamphetamine tablets in postal parcels",
        shortcut=services.SHORTCUT_MEMBERS,
        summary="12 000 tablets in parcels addressed to Tashkent.",
        place="Tashkent postal hub",
        place_type="postal",
        transport="post",
        concealment="parcel",
        items=[
            {"substance": "methamphetamine", "form": "tablet", "quantity": Decimal("12000"), "unit": "tablets"},
            {"substance": "acetic_anhydride", "form": "liquid", "quantity": Decimal("40"), "unit": "l"},
        ],
        markings={"tlp": "GREEN", "handling_code": "H0"},
    )
    _seizure(
        ru,
        "Cocaine in a container at Saint Petersburg",
        shortcut=services.SHORTCUT_MEMBERS_OBSERVERS,
        summary="Container from Ecuador, declared as bananas.",
        place="Port of Saint Petersburg",
        place_type="seaport",
        origin="EC",
        transport="sea",
        concealment="container",
        items=[{"substance": "cocaine", "form": "powder", "quantity": Decimal("210"), "unit": "kg", "purity": 80}],
        identifiers=[{"kind": IdentifierKind.CONTAINER, "value": "MSCU 123456-7"}],
        markings={"tlp": "GREEN", "handling_code": "H1", "source_reliability": "A", "information_credibility": "1"},
    )

    _rfi(
        kz,
        "Owner of lorry 01KZ777ABA",
        [states["UZ"], states["KG"]],
        ["Who owns the lorry?", "Has it crossed your borders in 2026?"],
        identifiers=[{"kind": IdentifierKind.PLATE, "value": "01KZ777ABA"}],
    )
    overdue = _rfi(tj, "Subscriber of +992 900 11 22 33", [states["KZ"]], ["Who is the subscriber?"], Urgency.URGENT)
    RequestForInformation.objects.filter(record=overdue, status=RFIStatus.SENT).update(
        deadline=timezone.now() - timedelta(days=2)
    )
    answered = _rfi(uz, "Criminal record of a courier", [states["KZ"]], ["Is the courier known to you?"])
    if not IntelRecord.objects.filter(in_reply_to=answered).exists():
        services.respond(
            user=kz,
            rfi_record=answered,
            fields={
                "title": "Courier known: two earlier convictions",
                "body": "Convicted in 2019 and 2022.",
                **MARKINGS,
            },
            outcome=RFIStatus.ANSWERED,
        )
