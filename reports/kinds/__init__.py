"""The report kinds: one small class each, one module per domain app.

`base` holds the parameters form, the typed parameters, the base classes and
the marking helpers; `intel`, `operations` and `donors` the kinds over each app.
This package is the registry the rest of reports uses.
"""

from __future__ import annotations

from .base import (
    AggregateKind,
    BaseKind,
    Params,
    PeriodForm,
    StreamedKind,
    classification_label,
    local_bounds,
    naive_local,
    tlp_label,
)
from .donors import FundingForm, FundingStatus
from .intel import RFICompliance, SeizureRegister, SeizureStatistics
from .operations import OperationsSummary

KINDS: dict[str, BaseKind] = {
    kind.code: kind
    for kind in (SeizureStatistics(), SeizureRegister(), RFICompliance(), OperationsSummary(), FundingStatus())
}


def get_kind(code: str) -> BaseKind:
    """The kind with this code (KeyError if unknown)."""
    return KINDS[code]


def kinds_for(user) -> list[BaseKind]:
    """The kinds this user may request now."""
    return [kind for kind in KINDS.values() if kind.may_request(user)]


__all__ = [
    "KINDS",
    "AggregateKind",
    "BaseKind",
    "FundingForm",
    "FundingStatus",
    "OperationsSummary",
    "Params",
    "PeriodForm",
    "RFICompliance",
    "SeizureRegister",
    "SeizureStatistics",
    "StreamedKind",
    "classification_label",
    "get_kind",
    "kinds_for",
    "local_bounds",
    "naive_local",
    "tlp_label",
]
