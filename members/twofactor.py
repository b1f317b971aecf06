"""Two-factor set-up and verification (TOTP with backup codes, on django-otp)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.forms import OTPTokenForm
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10


def _qr_svg(data: str) -> str:
    """An inline SVG QR code: drawn here, so nothing is fetched from outside."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def setup(request):
    """Show a QR code for a new TOTP device; confirming a code activates it."""
    from .forms import TOTPConfirmForm

    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    form = TOTPConfirmForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        codes = _new_backup_codes(request.user)
        request.session["_caricc_backup_codes"] = codes
        messages.success(request, _("Two-factor authentication is on."))
        return redirect("two-factor-backup-codes")
    return render(
        request,
        "registration/2fa_setup.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": device.bin_key.hex()},
    )


def _new_backup_codes(user) -> list[str]:
    static, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@login_required
def backup_codes(request):
    """Show freshly made backup codes once; a POST makes a new set."""
    if request.method == "POST" and request.user.is_verified():
        request.session["_caricc_backup_codes"] = _new_backup_codes(request.user)
    codes = request.session.pop("_caricc_backup_codes", None)
    return render(request, "registration/2fa_backup_codes.html", {"codes": codes})


@login_required
def verify(request):
    """Ask a user with a device for a code (or a backup code) after the password."""
    form = OTPTokenForm(request.user, request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.user.otp_device)
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "/"
        return redirect(target or "/")
    return render(request, "registration/2fa_verify.html", {"form": form})
