"""Signing in: lockout, two-factor, sessions, API tokens."""

import io
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.net import client_ip
from members.models import APIToken
from tests.factories import PASSWORD


def _login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_a_user_signs_in_with_the_right_password(client, officer_kz):
    response = _login(client, "officer-kz", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_five_bad_passwords_lock_the_account(client, officer_kz):
    for _attempt in range(5):
        response = _login(client, "officer-kz", "wrong-password")
    assert response.status_code == 429
    # Even the right password is refused while the lock holds.
    response = _login(client, "officer-kz", PASSWORD)
    assert response.status_code == 429
    assert b"Account locked" in response.content


def test_four_bad_passwords_do_not_lock(client, officer_kz):
    for _attempt in range(4):
        _login(client, "officer-kz", "wrong-password")
    assert _login(client, "officer-kz", PASSWORD).status_code == 302


def test_the_lock_holds_at_the_failing_address_and_the_owner_signs_in_elsewhere(client, officer_kz, settings):
    # Issue 10 item 9: failures count per username AND address, so no stranger can lock
    # an officer out of the portal from outside (more in tests/security/test_sign_in_and_throttling.py).
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        _login(client, "officer-kz", "wrong-password", HTTP_X_FORWARDED_FOR="10.0.0.9")
    assert _login(client, "officer-kz", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.9").status_code == 429
    assert _login(client, "officer-kz", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.1.1").status_code == 302


def test_client_ip_trusts_exactly_the_configured_proxies(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    # The right-most entry was written by our proxy; the left one could be forged.
    assert client_ip(request) == "198.51.100.7"


def test_partner_system_accounts_cannot_sign_in_in_the_browser(client, partner_kz):
    response = _login(client, "partner-kz", PASSWORD)
    assert response.status_code == 200
    assert "api_only" in [e.code for e in response.context["form"].non_field_errors().as_data()]


@override_settings(REQUIRE_2FA=True)
def test_with_2fa_required_a_user_without_a_device_reaches_only_the_setup(client, officer_kz):
    _login(client, "officer-kz", PASSWORD)
    for path in ("/", "/states/", "/notices/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == reverse("two-factor-setup")
    assert client.get("/api/v1/states/").status_code == 403
    assert client.get(reverse("two-factor-setup")).status_code == 200


@override_settings(REQUIRE_2FA=True)
def test_setting_up_totp_with_a_real_code_opens_the_portal_and_gives_backup_codes(client, officer_kz):
    _login(client, "officer-kz", PASSWORD)
    page = client.get(reverse("two-factor-setup"))
    assert b"<svg" in page.content  # the QR code, drawn locally
    device = TOTPDevice.objects.get(user=officer_kz, confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(reverse("two-factor-setup"), {"token": code})
    assert response.url == reverse("two-factor-backup-codes")
    codes_page = client.get(response.url)
    assert len(codes_page.context["codes"]) == 10
    assert client.get("/states/").status_code == 200


@override_settings(REQUIRE_2FA=True)
def test_a_wrong_setup_code_is_a_form_error_and_the_device_stays_unconfirmed(client, officer_kz):
    _login(client, "officer-kz", PASSWORD)
    client.get(reverse("two-factor-setup"))
    response = client.post(reverse("two-factor-setup"), {"token": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not TOTPDevice.objects.filter(user=officer_kz, confirmed=True).exists()


@override_settings(REQUIRE_2FA=True)
def test_a_user_with_a_device_must_verify_after_the_password(client, officer_kz):
    device = TOTPDevice.objects.create(user=officer_kz, name="phone", confirmed=True)
    _login(client, "officer-kz", PASSWORD)
    response = client.get("/states/")
    assert response.url.startswith(reverse("two-factor-verify"))
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    verify = client.post(
        f"{reverse('two-factor-verify')}?next=/states/",
        {"otp_device": device.persistent_id, "otp_token": code},
    )
    assert verify.status_code == 302
    assert verify.url == "/states/"
    assert client.get("/states/").status_code == 200


def test_the_session_ends_after_its_absolute_lifetime(client, officer_kz, settings):
    settings.SESSION_ABSOLUTE_LIFETIME = 60
    _login(client, "officer-kz", PASSWORD)
    assert client.get("/states/").status_code == 200
    session = client.session
    session["_caricc_session_started"] = time.time() - 61
    session.save()
    response = client.get("/states/")
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_an_idle_session_ends_after_the_idle_timeout(client, officer_kz, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # the documented default
    _login(client, "officer-kz", PASSWORD)
    client.get("/states/")
    session = client.session
    session["_caricc_last_seen"] = time.time() - 31 * 60
    session.save()
    response = client.get("/states/")
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_activity_renews_the_session_at_most_once_a_minute(client, officer_kz):
    _login(client, "officer-kz", PASSWORD)
    client.get("/states/")
    session = client.session
    session["_caricc_last_seen"] = time.time() - 20 * 60
    session.save()
    client.get("/states/")
    renewed = client.session["_caricc_last_seen"]
    assert time.time() - renewed < 5
    client.get("/states/")
    assert client.session["_caricc_last_seen"] == renewed


def test_tokens_are_issued_only_to_partner_systems(officer_kz, coordinator):
    from django.core.exceptions import ValidationError

    for person in (officer_kz, coordinator):
        with pytest.raises(ValidationError):
            APIToken.issue(person)
    with pytest.raises(CommandError):
        call_command("create_api_token", "officer-kz", stdout=io.StringIO(), stderr=io.StringIO())


def test_create_api_token_prints_a_key_once_and_stores_only_its_hash(partner_kz, api_client):
    out = io.StringIO()
    call_command("create_api_token", "partner-kz", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    token = APIToken.objects.get(user=partner_kz)
    assert raw not in token.key_hash and len(token.key_hash) == 64
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api_client.get("/api/v1/states/").status_code == 200


def test_a_revoked_or_expired_token_is_refused(partner_kz, api_client):
    from datetime import timedelta

    from django.utils import timezone

    token, raw = APIToken.issue(partner_kz)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    token.revoke()
    assert api_client.get("/api/v1/states/").status_code == 401
    token2, raw2 = APIToken.issue(partner_kz)
    APIToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw2}")
    assert api_client.get("/api/v1/states/").status_code == 401


def test_a_token_stops_working_when_the_account_is_no_longer_a_partner_system(partner_kz, api_client):
    _token, raw = APIToken.issue(partner_kz)
    partner_kz.groups.clear()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api_client.get("/api/v1/states/").status_code == 401


def test_a_partner_token_acts_as_its_state(partner_api, kz, uz, officer_uz):
    from tests.factories import NoticeFactory

    mine = NoticeFactory(title="to KZ", author=officer_uz, originating_state=uz)
    mine.share_with([kz])
    other = NoticeFactory(title="UZ only", author=officer_uz, originating_state=uz)
    other.share_with([uz])
    titles = [n["title"] for n in partner_api.get("/api/v1/notices/").json()["results"]]
    assert titles == ["to KZ"]
    assert partner_api.get(f"/api/v1/notices/{other.pk}/").status_code == 404
