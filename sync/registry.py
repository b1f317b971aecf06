"""What the change feed and webhooks know: a kind per API object, its model and detail route.

The kinds are the stable names partners see (`intel.record`, `operations.operation`...).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Kind:
    name: str
    model_label: str
    detail_view: str
    # A status value that takes the object out of the partners' mirrors (archived).
    gone_status: str | None = None

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("intel.record", "intel.IntelRecord", "api:intelrecord-detail", gone_status="archived"),
        Kind("operations.operation", "operations.JointOperation", "api:jointoperation-detail"),
        Kind("members.notice", "members.Notice", "api:notice-detail"),
        Kind("members.state", "members.State", "api:state-detail"),
        Kind("members.agency", "members.Agency", "api:agency-detail"),
        Kind("donors.donor", "donors.Donor", "api:donor-detail"),
        Kind("donors.pledge", "donors.Pledge", "api:pledge-detail"),
        Kind("donors.payment", "donors.Payment", "api:payment-detail"),
        Kind("donors.pledgingevent", "donors.PledgingEvent", "api:pledgingevent-detail"),
        Kind("donors.agreement", "donors.Agreement", "api:agreement-detail"),
        Kind("donors.reportingobligation", "donors.ReportingObligation", "api:reportingobligation-detail"),
        Kind("donors.exchangerate", "donors.ExchangeRate", "api:exchangerate-detail"),
        Kind("donors.budgetline", "donors.BudgetLine", "api:budgetline-detail"),
        Kind("reports.report", "reports.ReportRequest", "api:reportrequest-detail"),
    )
}


def kind_of(model: type[models.Model]) -> Kind | None:
    label = model._meta.label
    for kind in KINDS.values():
        if kind.model_label == label:
            return kind
    return None


# The kinds as an ordered list of values (the schema names this enum ChangeKindEnum).
KIND_CHOICES = sorted(KINDS)
