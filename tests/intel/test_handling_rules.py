"""Handling rules hold on every path (issue 10): originator control, TLP 2.0, handling codes.

The matrix: markings x actions x personas, in the UI and the API. The expected
outcome of every cell comes from RULES below (the issue's table, written out
here independently of intel.handling); a refusal must name its rule and leave
the database exactly as it was.
"""

from __future__ import annotations

import html

import pytest
from django.db import transaction
from django.urls import reverse

from intel.models import DisseminationRequest, IntelRecord, MarkingChange

pytestmark = pytest.mark.django_db

PERSONAS = ["officer_kz", "officer_uz", "officer_kg", "observer", "coordinator", "analyst", "partner_kz"]
ACTIONS = ["share", "remark", "edit", "forward"]
# Each TLP level (with H0), then each handling code (with TLP:GREEN, the most permissive
# level that still has a community), so every rule is exercised on its own.
MARKINGS = [(tlp, "H0") for tlp in ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")] + [
    ("GREEN", code) for code in ("H1", "H2", "H3")
]
TLP_ORDER = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]

# The record: written by Kazakhstan's officer, shared with Uzbekistan only.
ORIGINATOR = "officer_kz"
RECIPIENTS = {"officer_uz"}
CANNOT_SEE = {"officer_kg", "observer"}  # not recipients: the record does not exist for them (404)


def expected(persona: str, action: str, tlp: str, code: str) -> tuple[str, str | None]:
    """("allowed", None) or ("refused", the rule the message must name) or ("hidden", None)."""
    if persona == ORIGINATOR:
        return "allowed", None
    if persona in CANNOT_SEE:
        return "hidden", None
    if persona == "partner_kz":
        return "refused", "Role rule"
    if action in ("share", "forward"):
        if code == "H2":
            return "refused", "H2"
        if tlp in ("AMBER", "AMBER+STRICT", "RED"):
            return "refused", f"TLP:{tlp}"
    return "refused", "Originator control"


def snapshot(record: IntelRecord) -> dict:
    """Everything a refused action must leave as it was."""
    fresh = IntelRecord.objects.get(pk=record.pk)
    return {
        "title": fresh.title,
        "markings": (fresh.tlp, fresh.handling_code, fresh.handling_note, fresh.classification),
        "shared": sorted(fresh.shared_states().values_list("code", flat=True)),
        "requests": sorted(DisseminationRequest.objects.filter(record=record).values_list("status", flat=True)),
        "marking_changes": MarkingChange.objects.filter(record=record).count(),
        "history": fresh.history.count(),
    }


def new_markings(tlp: str) -> tuple[str, str]:
    """The re-marking tried: one level up; from RED one level down (a downgrade, with a reason)."""
    i = TLP_ORDER.index(tlp)
    return (TLP_ORDER[i + 1], "") if i + 1 < len(TLP_ORDER) else (TLP_ORDER[i - 1], "Shared at a lower level")


def edit_post(record: IntelRecord, **changes) -> dict:
    data = {
        "title": record.title,
        "summary": record.summary,
        "body": record.body,
        "review_date": "",
        "status": record.status,
        "tlp": record.tlp,
        "handling_code": record.handling_code,
        "handling_note": record.handling_note,
        "classification": record.classification,
        "source_reliability": record.source_reliability,
        "information_credibility": record.information_credibility,
        "reason": "",
    }
    data.update(changes)
    return data


def attempt(channel: str, action: str, user, record, request_id, kg, uz, client_for, api_for):
    """Perform one action as `user`; return (status code, text of the answer)."""
    if channel == "ui":
        client = client_for(user)
        if action == "share":
            r = client.post(reverse("intel:record-share", args=[record.pk]), {"share_with": [uz.pk, kg.pk]})
        elif action == "forward":
            r = client.post(reverse("intel:decide-dissemination", args=[record.pk, request_id, "approve"]))
        elif action == "remark":
            tlp, reason = new_markings(record.tlp)
            r = client.post(reverse("intel:record-edit", args=[record.pk]), edit_post(record, tlp=tlp, reason=reason))
        else:
            r = client.post(reverse("intel:record-edit", args=[record.pk]), edit_post(record, title="Rewritten"))
        return r.status_code, r.content.decode()
    api = api_for(user)
    base = f"/api/v1/intel/records/{record.pk}/"
    if action == "share":
        r = api.post(base + "share/", {"share_with": ["UZ", "KG"]}, format="json")
    elif action == "forward":
        r = api.post(base + "decide-dissemination/", {"request": request_id, "approve": True}, format="json")
    elif action == "remark":
        tlp, reason = new_markings(record.tlp)
        r = api.patch(base, {"tlp": tlp, "reason": reason}, format="json")
    else:
        r = api.patch(base, {"title": "Rewritten"}, format="json")
    return r.status_code, r.content.decode()


@pytest.mark.parametrize("channel", ["ui", "api"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(("tlp", "code"), MARKINGS, ids=[f"{t}-{c}" for t, c in MARKINGS])
def test_the_handling_rules_matrix(
    request, channel, action, tlp, code, officer_kz, officer_uz, uz, kg, make_record, client_for, api_for
):
    """One cell per persona: each attempt runs on the same fresh record inside a savepoint
    that is rolled back afterwards, so every persona meets the record as it was made
    (and the 448 cells cost 64 record set-ups, not 448). Every failing cell is reported."""
    record = make_record(
        officer_kz,
        recipients=[uz],
        tlp=tlp,
        handling_code=code,
        handling_note="Only for the task force" * (code == "H3"),
    )
    # A recipient asked for the record to reach Kyrgyzstan too: "forward" approves it.
    ask = DisseminationRequest.objects.create(record=record, requested_by=officer_uz, requesting_state=uz, reason="KG")
    ask.states.set([kg])
    before = snapshot(record)
    failures: list[str] = []
    for persona in PERSONAS:
        user = request.getfixturevalue(persona)
        outcome, rule = expected(persona, action, tlp, code)
        savepoint = transaction.savepoint()
        try:
            record.refresh_from_db()
            status, text = attempt(channel, action, user, record, ask.pk, kg, uz, client_for, api_for)
            after = snapshot(record)
        finally:
            transaction.savepoint_rollback(savepoint)
        cell = f"{persona}: {outcome} expected, got {status}"
        if outcome == "allowed":
            if status not in (200, 204, 302):
                failures.append(f"{cell}: {text[:300]}")
            elif after == before:
                failures.append(f"{cell}: nothing changed")
            elif action in ("share", "forward") and "KG" not in after["shared"]:
                failures.append(f"{cell}: KG did not receive the record")
            elif action == "remark" and (after["markings"][0] != new_markings(tlp)[0] or after["marking_changes"] != 1):
                failures.append(f"{cell}: markings {after['markings']}")
            elif action == "edit" and after["title"] != "Rewritten":
                failures.append(f"{cell}: title {after['title']!r}")
            continue
        if status != (404 if outcome == "hidden" else 403):
            failures.append(f"{cell}: {text[:300]}")
        elif rule and rule not in text:
            failures.append(f"{cell}: the answer does not name {rule!r}")
        elif after != before:
            failures.append(f"{cell}: the database changed: {before} -> {after}")
    assert not failures, "\n".join(failures)


# --- the scenarios of the issue --------------------------------------------------------------


def test_the_coordinator_cannot_reshare_or_rewrite_a_states_record(
    officer_kz, coordinator, uz, de, kz, make_record, client_for, api_for
):
    record = make_record(
        officer_kz, recipients=[uz], tlp="RED", handling_code="H2", classification="secret", title="Route via Termez"
    )
    before = snapshot(record)
    client = client_for(coordinator)

    # The edit page: 403 with the rule, for GET and POST.
    page = client.get(reverse("intel:record-edit", args=[record.pk]))
    assert page.status_code == 403
    assert "Originator control" in page.content.decode()
    rewrite = client.post(
        reverse("intel:record-edit", args=[record.pk]),
        edit_post(record, tlp="CLEAR", handling_code="H0", classification="unclassified", reason="Declassified"),
    )
    assert rewrite.status_code == 403
    # Re-share: remove UZ, add DE.
    reshare = client.post(reverse("intel:record-share", args=[record.pk]), {"share_with": [de.pk]})
    assert reshare.status_code == 403
    api = api_for(coordinator)
    assert (
        api.post(f"/api/v1/intel/records/{record.pk}/share/", {"share_with": ["DE"]}, format="json").status_code == 403
    )
    patch = api.patch(
        f"/api/v1/intel/records/{record.pk}/",
        {"tlp": "CLEAR", "handling_code": "H0", "classification": "unclassified", "reason": "x"},
        format="json",
    )
    assert patch.status_code == 403
    assert "Originator control" in patch.json()["detail"]
    assert snapshot(record) == before
    # The record page offers no edit or share to the coordinator, only asking.
    detail = client.get(record.get_absolute_url()).content.decode()
    assert reverse("intel:record-edit", args=[record.pk]) not in detail
    assert reverse("intel:request-remarking", args=[record.pk]) in detail


def test_the_partner_token_cannot_edit_reshare_archive_or_rewrite_notices(partner_api, officer_kz, uz, kg, make_record):
    from members.models import Notice

    record = make_record(officer_kz, recipients=[uz], tlp="GREEN", title="By an officer")
    notice = Notice.objects.create(title="Officers' circular", originating_state=officer_kz.state, author=officer_kz)
    notice.share_with([officer_kz.state], actions=("view", "change"))
    before = snapshot(record)
    base = f"/api/v1/intel/records/{record.pk}/"
    # It reads what its state may read ...
    assert partner_api.get(base).status_code == 200
    # ... and writes none of it.
    for response in (
        partner_api.patch(base, {"title": "Rewritten"}, format="json"),
        partner_api.patch(base, {"status": "archived"}, format="json"),
        partner_api.post(base + "share/", {"share_with": ["UZ", "KG"]}, format="json"),
    ):
        assert response.status_code == 403
        assert "partner-system" in response.json()["detail"]
    assert snapshot(record) == before
    patched = partner_api.patch(f"/api/v1/notices/{notice.pk}/", {"title": "Rewritten"}, format="json")
    assert patched.status_code == 403
    assert "partner-system" in patched.json()["detail"]
    notice.refresh_from_db()
    assert notice.title == "Officers' circular"


def test_the_partner_token_files_seizures_but_no_general_record(partner_api):
    from tests.intel.conftest import MARKINGS as BASE

    response = partner_api.post("/api/v1/intel/records/", {"kind": "general", "title": "x", **BASE}, format="json")
    assert response.status_code == 403
    assert "partner-system" in response.json()["detail"]
    assert not IntelRecord.objects.exists()


def test_an_officer_still_edits_their_notice_and_its_date_is_the_servers(officer_kz, kz, api_for):
    api = api_for(officer_kz)
    created = api.post(
        "/api/v1/notices/", {"title": "Circular", "created_at": "2099-01-01T00:00:00Z"}, format="json"
    ).json()
    assert not created["created_at"].startswith("2099")
    assert api.patch(f"/api/v1/notices/{created['id']}/", {"title": "Fixed"}, format="json").status_code == 200
    again = api.patch(f"/api/v1/notices/{created['id']}/", {"created_at": "2099-01-01T00:00:00Z"}, format="json")
    assert not again.json()["created_at"].startswith("2099")


# --- TLP:RED and shortcuts ---------------------------------------------------------------------


def test_red_goes_to_named_states_only_at_creation(officer_kz, uz, kg, client_for, api_for):
    from intel import services
    from tests.intel.conftest import MARKINGS as BASE

    response = api_for(officer_kz).post(
        "/api/v1/intel/records/",
        {"kind": "general", "title": "x", **BASE, "tlp": "RED", "shortcut": services.SHORTCUT_MEMBERS_OBSERVERS},
        format="json",
    )
    assert response.status_code == 400
    assert "TLP:RED" in str(response.json())
    form = client_for(officer_kz).post(
        reverse("intel:record-create"),
        {"kind": "general", "title": "x", **BASE, "tlp": "RED", "shortcut": services.SHORTCUT_MEMBERS},
    )
    assert form.status_code == 200
    assert "TLP:RED" in form.content.decode()
    assert not IntelRecord.objects.exists()


def test_red_is_never_widened_by_a_shortcut_but_by_naming_states(officer_kz, uz, kg, make_record, api_for, client_for):
    from intel import services

    record = make_record(officer_kz, recipients=[uz], tlp="RED")
    before = snapshot(record)
    api = api_for(officer_kz)
    bad = api.post(
        f"/api/v1/intel/records/{record.pk}/share/",
        {"share_with": ["UZ"], "shortcut": services.SHORTCUT_MEMBERS},
        format="json",
    )
    assert bad.status_code == 400
    assert "TLP:RED" in str(bad.json())
    ui = client_for(officer_kz).post(
        reverse("intel:record-share", args=[record.pk]), {"share_with": [uz.pk], "shortcut": services.SHORTCUT_MEMBERS}
    )
    assert ui.status_code == 302
    assert snapshot(record) == before
    good = api.post(f"/api/v1/intel/records/{record.pk}/share/", {"share_with": ["UZ", "KG"]}, format="json")
    assert good.status_code == 200
    assert snapshot(record)["shared"] == ["KG", "KZ", "UZ"]


def test_a_seizure_batch_with_a_red_shortcut_saves_nothing(partner_api):
    from intel import services
    from tests.intel.test_seizure_api import payload

    response = partner_api.post(
        "/api/v1/intel/seizures/",
        [payload(), payload(tlp="RED", shortcut=services.SHORTCUT_MEMBERS)],
        format="json",
    )
    assert response.status_code == 400
    assert "TLP:RED" in str(response.json())
    assert not IntelRecord.objects.exists()


# --- downgrades and re-marking requests ---------------------------------------------------------


def test_a_downgrade_needs_a_reason_and_tells_every_recipient(officer_kz, officer_uz, uz, make_record, api_for):
    from intel.signals import record_remarked
    from members.models import Notice

    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    record_remarked.connect(receiver)
    try:
        record = make_record(officer_kz, recipients=[uz], tlp="AMBER")
        before = snapshot(record)
        api = api_for(officer_kz)
        refused = api.patch(f"/api/v1/intel/records/{record.pk}/", {"tlp": "GREEN"}, format="json")
        assert refused.status_code == 400
        assert "Downgrade rule" in str(refused.json())
        assert snapshot(record) == before
        assert (
            api.patch(
                f"/api/v1/intel/records/{record.pk}/", {"tlp": "GREEN", "reason": "Case closed"}, format="json"
            ).status_code
            == 200
        )
    finally:
        record_remarked.disconnect(receiver)
    change = MarkingChange.objects.get(record=record)
    assert change.downgrade and change.reason == "Case closed"
    assert (change.old["tlp"], change.new["tlp"]) == ("AMBER", "GREEN")
    assert seen[0]["downgrade"] and seen[0]["by"] == officer_kz and seen[0]["reason"] == "Case closed"
    # Uzbekistan is told: a notice it can read, and the change on the record page.
    assert Notice.objects.visible_to(officer_uz).filter(title__contains=record.reference).exists()
    page = api_for(officer_uz).get(f"/api/v1/intel/records/{record.pk}/").json()
    assert page["marking_changes"][0]["reason"] == "Case closed"


def test_an_upgrade_needs_no_reason(officer_kz, uz, make_record, api_for):
    record = make_record(officer_kz, recipients=[uz], tlp="GREEN")
    response = api_for(officer_kz).patch(f"/api/v1/intel/records/{record.pk}/", {"tlp": "RED"}, format="json")
    assert response.status_code == 200
    assert MarkingChange.objects.get(record=record).downgrade is False


@pytest.mark.parametrize("accept", [True, False])
def test_a_recipient_asks_for_a_remarking_and_the_originator_decides(
    accept, officer_kz, officer_uz, uz, make_record, api_for
):
    record = make_record(officer_kz, recipients=[uz], tlp="RED")
    asked = api_for(officer_uz).post(
        f"/api/v1/intel/records/{record.pk}/request-remarking/",
        {"tlp": "AMBER", "handling_code": "H0", "classification": "restricted", "reason": "Needed by customs"},
        format="json",
    )
    assert asked.status_code == 201, asked.content
    req_id = asked.json()["id"]
    assert asked.json()["status"] == "pending" and asked.json()["requesting_state"] == "UZ"
    # The requester cannot decide its own request.
    assert (
        api_for(officer_uz)
        .post(
            f"/api/v1/intel/records/{record.pk}/decide-remarking/", {"request": req_id, "accept": True}, format="json"
        )
        .status_code
        == 403
    )
    decided = api_for(officer_kz).post(
        f"/api/v1/intel/records/{record.pk}/decide-remarking/", {"request": req_id, "accept": accept}, format="json"
    )
    assert decided.status_code == 204
    record.refresh_from_db()
    assert record.tlp == ("AMBER" if accept else "RED")
    listed = api_for(officer_uz).get(f"/api/v1/intel/records/{record.pk}/remarking-requests/").json()
    assert listed[0]["status"] == ("accepted" if accept else "refused")
    assert listed[0]["decided_by"] == "officer-kz"
    # Decided once only.
    again = api_for(officer_kz).post(
        f"/api/v1/intel/records/{record.pk}/decide-remarking/", {"request": req_id, "accept": True}, format="json"
    )
    assert again.status_code == 409


def test_the_remarking_request_in_the_ui(officer_kz, officer_uz, uz, make_record, client_for):
    from intel.models import RemarkingRequest

    record = make_record(officer_kz, recipients=[uz], tlp="AMBER")
    client = client_for(officer_uz)
    response = client.post(
        reverse("intel:request-remarking", args=[record.pk]),
        {"tlp": "GREEN", "handling_code": "H0", "classification": "restricted", "reason": "For the border posts"},
    )
    assert response.status_code == 302
    req = RemarkingRequest.objects.get(record=record)
    page = client_for(officer_kz).get(record.get_absolute_url()).content.decode()
    assert "For the border posts" in page
    assert (
        client_for(officer_kz).post(reverse("intel:decide-remarking", args=[record.pk, req.pk, "accept"])).status_code
        == 302
    )
    record.refresh_from_db()
    assert record.tlp == "GREEN"
    assert "For the border posts" in client_for(officer_uz).get(record.get_absolute_url()).content.decode()


# --- handling codes on every copy ---------------------------------------------------------------


def test_h1_carries_its_caveat_on_the_page_in_the_api_and_in_the_export(
    officer_kz, uz, make_record, client_for, api_for
):
    record = make_record(officer_kz, recipients=[uz], handling_code="H1")
    caveat = "Not for use as evidence without the originator's permission."
    assert caveat in html.unescape(client_for(officer_kz).get(record.get_absolute_url()).content.decode())
    assert api_for(officer_kz).get(f"/api/v1/intel/records/{record.pk}/").json()["handling_notice"] == caveat
    rows = api_for(officer_kz).get("/api/v1/intel/records/").json()["results"]
    assert rows[0]["handling_notice"] == caveat
    export = b"".join(client_for(officer_kz).get(reverse("intel:export")).streaming_content).decode()
    assert caveat in export


def test_h3_conditions_are_shown_with_the_record(officer_kz, officer_uz, uz, make_record, client_for, api_for):
    record = make_record(officer_kz, recipients=[uz], handling_code="H3", handling_note="Task force Alpha only")
    assert "Task force Alpha only" in client_for(officer_kz).get(record.get_absolute_url()).content.decode()
    assert "Task force Alpha only" in client_for(officer_uz).get(reverse("intel:inbox")).content.decode()
    assert (
        "Task force Alpha only"
        in api_for(officer_kz).get(f"/api/v1/intel/records/{record.pk}/").json()["handling_notice"]
    )


def test_the_admin_shows_markings_read_only():
    from django.contrib.admin.sites import site

    admin = site._registry[IntelRecord]
    assert {"tlp", "handling_code", "handling_note", "classification", "dissemination"} <= set(admin.readonly_fields)


# --- the centre's own products --------------------------------------------------------------


@pytest.mark.parametrize("author", ["coordinator", "analyst"])
def test_the_centre_controls_its_own_products(request, author, officer_kz, kz, api_for):
    from intel import services
    from tests.intel.conftest import MARKINGS as BASE

    staff = request.getfixturevalue(author)
    record = services.create_record(
        user=staff, fields={"kind": "analysis", "title": "Routes 2026", **BASE}, recipients=[kz]
    )
    assert record.originating_state_id is None
    # A recipient state asks; it may not change the centre's product.
    before = snapshot(record)
    refused = api_for(officer_kz).patch(f"/api/v1/intel/records/{record.pk}/", {"title": "Ours"}, format="json")
    assert refused.status_code == 403
    assert snapshot(record) == before
    # The centre's staff edit, re-mark and share it.
    api = api_for(staff)
    assert (
        api.patch(f"/api/v1/intel/records/{record.pk}/", {"title": "Routes 2026 (rev.)"}, format="json").status_code
        == 200
    )
    assert api.patch(f"/api/v1/intel/records/{record.pk}/", {"tlp": "RED"}, format="json").status_code == 200
    assert (
        api.post(f"/api/v1/intel/records/{record.pk}/share/", {"share_with": ["KZ"]}, format="json").status_code == 200
    )


def test_the_originator_remarks_a_record_shared_with_no_other_state(officer_kz, make_record, api_for):
    record = make_record(officer_kz, tlp="AMBER")
    response = api_for(officer_kz).patch(
        f"/api/v1/intel/records/{record.pk}/", {"tlp": "GREEN", "reason": "Public now"}, format="json"
    )
    assert response.status_code == 200
    assert MarkingChange.objects.get(record=record).downgrade


def test_a_downgrade_without_a_reason_is_a_form_error_in_the_ui(officer_kz, uz, make_record, client_for):
    record = make_record(officer_kz, recipients=[uz], tlp="RED", handling_code="H2")
    before = snapshot(record)
    response = client_for(officer_kz).post(
        reverse("intel:record-edit", args=[record.pk]), edit_post(record, tlp="GREEN", title="Also the title")
    )
    assert response.status_code == 200
    assert "Downgrade rule" in html.unescape(response.content.decode())
    assert snapshot(record) == before
