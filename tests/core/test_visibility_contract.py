"""The visibility contract, held against every model that has `visible_to(user)`.

Every such model derives its queryset from core.visibility.VisibleQuerySet and
answers the same personas the same way: nobody anonymous or deactivated sees
anything; an officer of another state does not see Kazakhstan's rows; the
observer, the centre roles and Kazakhstan's partner system see what their role
and state allow. A model that gains `visible_to` without an entry in CONTRACT
fails `test_every_model_with_visible_to_is_held_to_the_contract`, so no new
shareable model can skip these tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from core.visibility import VisibleQuerySet
from intel import services as intel_services
from members.models import Notice
from members.roles import Role
from operations.models import ResultSeizure
from operations.services import create_operation
from reports.services import request_report
from tests.factories import UserFactory

PERSONAS = ("officer_kz", "officer_uz", "observer", "coordinator", "analyst", "donor_relations", "partner_kz")


def _intel_record(kz, officer_kz, **_):
    return intel_services.create_record(
        user=officer_kz,
        fields={
            "title": "Shared with Kazakhstan only",
            "kind": "general",
            "tlp": "AMBER",
            "handling_code": "H0",
            "classification": "restricted",
            "source_reliability": "B",
            "information_credibility": "2",
        },
        recipients=[],
    )


def _notice(kz, officer_kz, **_):
    notice = Notice.objects.create(title="For Kazakhstan", body="Text", author=officer_kz)
    notice.share_with([kz])
    return notice


def _operation(kz, officer_kz, **_):
    return create_operation(
        officer_kz,
        {
            "code_name": "Steppe",
            "operation_type": "controlled_delivery",
            "objective": "Follow a consignment",
            "planned_start": date(2026, 12, 20),
            "planned_end": date(2026, 12, 30),
        },
        {},
    )


def _result_seizure(kz, officer_kz, **kwargs):
    operation = _operation(kz, officer_kz)
    return ResultSeizure.objects.create(
        operation=operation,
        state=kz,
        seized_on=date(2026, 12, 1),
        substance="heroin",
        quantity=Decimal("1.000"),
        unit="kg",
        created_by=officer_kz,
    )


def _report(kz, officer_kz, **_):
    return request_report(officer_kz, "seizure_statistics", {"date_from": "2026-01-01", "date_to": "2026-11-30"}, "csv")


def _notification(kz, officer_kz, **_):
    from notifications.events import Event
    from notifications.models import Notification
    from notifications.services import notify, users

    record = _intel_record(kz=kz, officer_kz=officer_kz)
    notify(Event.REVIEW_DUE, record, users(officer_kz.pk))
    return Notification.objects.get(user=officer_kz, subject_id=record.pk)


def _donor(**_):
    from donors.models import Donor

    return Donor.objects.create(name="A donor", type="government", country="DE")


# label -> (make one row belonging to Kazakhstan, the personas who see it)
CONTRACT: dict[str, tuple[Callable | None, set[str]]] = {
    # The directory is open to everyone signed in.
    "members.State": (None, set(PERSONAS)),
    "members.Agency": (None, set(PERSONAS)),
    # Shared rows: Kazakhstan's own people, and the centre roles holding the model permission.
    "members.Notice": (_notice, {"officer_kz", "partner_kz", "coordinator", "analyst"}),
    "intel.IntelRecord": (_intel_record, {"officer_kz", "partner_kz", "coordinator", "analyst"}),
    "operations.JointOperation": (_operation, {"officer_kz", "partner_kz", "coordinator", "analyst"}),
    "operations.ResultSeizure": (_result_seizure, {"officer_kz", "partner_kz", "coordinator", "analyst"}),
    # A report is its requester's.
    "reports.ReportRequest": (_report, {"officer_kz"}),
    # A notification is its reader's, and only while the reader may see its subject.
    "notifications.Notification": (_notification, {"officer_kz"}),
}
# Every donors model: donor relations and coordinators (the roles' model permissions).
for _model in apps.get_app_config("donors").get_models():
    if hasattr(_model._default_manager, "visible_to"):
        CONTRACT[_model._meta.label] = (
            _donor if _model._meta.label == "donors.Donor" else None,
            {"donor_relations", "coordinator"},
        )


def _models_with_visible_to():
    return [m for m in apps.get_models() if hasattr(m._default_manager, "visible_to")]


def test_every_model_with_visible_to_is_held_to_the_contract():
    missing = sorted(m._meta.label for m in _models_with_visible_to() if m._meta.label not in CONTRACT)
    assert not missing, f"add these models to CONTRACT: {missing}"


@pytest.mark.parametrize("model", _models_with_visible_to(), ids=lambda m: m._meta.label)
def test_visibility_has_one_base(model):
    queryset_class = type(model._default_manager.all())
    assert issubclass(queryset_class, VisibleQuerySet)
    # The shared rule lives in the base only: subclasses write visible_for_user.
    for klass in queryset_class.__mro__:
        if klass is VisibleQuerySet:
            break
        assert "visible_to" not in vars(klass), f"{klass.__name__} overrides visible_to"


@pytest.mark.django_db
@pytest.mark.parametrize("model", _models_with_visible_to(), ids=lambda m: m._meta.label)
def test_anonymous_and_inactive_users_see_nothing(model, officer_kz, coordinator):
    assert model._default_manager.visible_to(AnonymousUser()).query.is_empty()
    assert model._default_manager.visible_to(None).query.is_empty()
    for user in (officer_kz, coordinator):
        user.is_active = False
        assert model._default_manager.visible_to(user).query.is_empty()


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(CONTRACT))
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_what_the_contract_says(label, persona, request, kz, officer_kz):
    model = apps.get_model(label)
    maker, seen_by = CONTRACT[label]
    user = request.getfixturevalue(persona)
    qs = model._default_manager.visible_to(user)
    if maker is None:
        # Role-based models: all rows or none, whatever the data.
        assert qs.query.is_empty() is (persona not in seen_by)
        return
    row = maker(kz=kz, officer_kz=officer_kz)
    assert qs.filter(pk=row.pk).exists() is (persona in seen_by)


@pytest.mark.django_db
def test_a_state_officer_without_any_grant_sees_no_shared_row(kz, officer_kz):
    """A new state's officer: the grant-based rule, with no grant at all, yields nothing."""
    from tests.factories import StateFactory

    newcomer = UserFactory(state=StateFactory(code="TM"), roles=[Role.LIAISON_OFFICER])
    record = _intel_record(kz=kz, officer_kz=officer_kz)
    assert not apps.get_model("intel.IntelRecord").objects.visible_to(newcomer).filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_a_confidential_donor_is_seen_by_donor_relations_only(coordinator, donor_relations):
    from donors.models import Donor

    donor = Donor.objects.create(name="Anonymous foundation", type="foundation", country="CH", confidential=True)
    assert Donor.objects.visible_to(donor_relations).filter(pk=donor.pk).exists()
    assert not Donor.objects.visible_to(coordinator).filter(pk=donor.pk).exists()
