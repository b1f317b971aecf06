"""States, agencies, users, API tokens and notices: who acts for whom."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from core.sharing import ShareableModel, ShareableQuerySet, forget_user_caches, user_group_names
from core.visibility import VisibleQuerySet, holds_model_permission

from .roles import Role
from .scopes import default_scopes


class DirectoryQuerySet(VisibleQuerySet):
    """The state and agency directory: open to every signed-in, active user."""

    def visible_for_user(self, user, action: str) -> DirectoryQuerySet:
        if action == "view":
            return self
        # Writes to the directory are for holders of the model permission (administrators).
        return self if holds_model_permission(user, self.model, action) else self.none()

    def by_name(self, *first: str) -> DirectoryQuerySet:
        """Ordered by the name in the reader's language (a Russian reader gets Russian
        order), after any fields given first."""
        name = "name_ru" if (get_language() or "en").startswith("ru") else "name_en"
        return self.order_by(*first, name, "pk")


class State(models.Model):
    """A state taking part in the centre: member, observer, candidate or former.

    Each state owns exactly one auth Group; its users sit in that group and
    records are shared with the state by granting the group object permissions.
    """

    class Status(models.TextChoices):
        MEMBER = "member", _("Member state")
        OBSERVER = "observer", _("Observer")
        CANDIDATE = "candidate", _("Candidate")
        FORMER = "former", _("Former member")

    code = models.CharField(
        _("ISO 3166 code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Enter a two-letter ISO 3166-1 alpha-2 code in capitals."))],
        help_text=_("ISO 3166-1 alpha-2, e.g. KZ."),
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="state", editable=False, null=True, verbose_name=_("group")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, changed_by=None, status_note: str = "", **kwargs) -> None:
        """Save, create the state's group, and record a status change in the history."""
        with transaction.atomic():
            old_status = None
            if self.pk:
                old_status = State.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if self.group_id is None:
                self.group, _created = Group.objects.get_or_create(name=self.group_name)
            elif self.group.name != self.group_name:
                self.group.name = self.group_name
                self.group.save(update_fields=["name"])
            super().save(*args, **kwargs)
            if old_status != self.status:
                StateStatusChange.objects.create(
                    state=self,
                    old_status=old_status or "",
                    new_status=self.status,
                    changed_by=changed_by,
                    note=status_note,
                )

    def get_absolute_url(self) -> str:
        return reverse("members:state-detail", args=[self.code])

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_ru if (get_language() or "en").startswith("ru") else self.name_en

    @property
    def group_name(self) -> str:
        return f"state:{self.code}"


class StateStatusChange(models.Model):
    """One change of a state's status (e.g. candidate -> member), with when and who."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="status_history", verbose_name=_("state"))
    old_status = models.CharField(_("from"), max_length=10, choices=State.Status.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=10, choices=State.Status.choices)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("changed by")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("state status change")
        verbose_name_plural = _("state status changes")

    def __str__(self) -> str:
        return f"{self.state.code}: {self.old_status or '-'} -> {self.new_status}"


class Agency(models.Model):
    """A competent national agency of a state (police, drug control, customs...)."""

    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        DRUG_CONTROL = "drug_control", _("Drug control agency")
        CUSTOMS = "customs", _("Customs")
        BORDER_GUARD = "border_guard", _("Border guard")
        SECURITY = "security", _("Security service")
        OTHER = "other", _("Other")

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("state"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        ordering = ["state__name_en", "name_en"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["state", "name_en"], name="members_agency_unique_name_per_state"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ru if (get_language() or "en").startswith("ru") else self.name_en


class UserManager(DjangoUserManager):
    def with_role(self, *roles: str) -> models.QuerySet:
        """Active users holding any of the roles (e.g. to e-mail a state's liaison officers)."""
        return self.filter(is_active=True, groups__name__in=roles).distinct()


class User(AbstractUser):
    """A person or partner system using the portal.

    `state` is the state the user acts for (null for centre staff). Setting it
    moves the user into that state's group and out of the previous one, which is
    what moves their visibility.
    """

    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("state"),
        help_text=_("The state this user acts for. Empty for the centre's staff."),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="users", verbose_name=_("agency")
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("en", _("English")), ("ru", _("Russian"))],
        default="en",
        help_text=_("The language of the e-mails the portal sends you."),
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._loaded_state_id = self.state_id

    def clean(self) -> None:
        super().clean()
        if self.agency_id and self.state_id and self.agency.state_id != self.state_id:
            raise ValidationError({"agency": _("The agency must belong to the user's state.")})

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            if adding or self.state_id != self._loaded_state_id:
                self.sync_state_group()
        self._loaded_state_id = self.state_id

    def sync_state_group(self) -> None:
        """Put the user in exactly their state's group (none for centre staff)."""
        stale = self.groups.filter(state__isnull=False)
        if self.state_id:
            stale = stale.exclude(state__id=self.state_id)
        self.groups.remove(*stale)
        if self.state_id:
            self.groups.add(State.objects.only("group_id").get(pk=self.state_id).group_id)
        forget_user_caches(self)

    @property
    def role_names(self) -> set[str]:
        """The centre and system roles among the user's groups (state groups are not roles)."""
        return {name for name in user_group_names(self) if name in Role.values}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    @property
    def is_partner_system(self) -> bool:
        return self.has_role(Role.PARTNER_SYSTEM)


def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class APITokenQuerySet(models.QuerySet):
    def active(self) -> APITokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class APIToken(models.Model):
    """A partner system's API key. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    scopes = models.JSONField(
        _("scopes"), default=default_scopes, help_text=_("read, seizures, write, webhooks (members.scopes).")
    )

    objects = APITokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(
        cls, user: User, name: str = "", lifetime_days: int | None = None, scopes: list[str] | None = None
    ) -> tuple[APIToken, str]:
        """Create a token for a partner-system account; return it and the raw key.

        Persons never get a token: a token bypasses the browser's second factor.
        """
        if not user.is_active or not user.has_role(Role.PARTNER_SYSTEM):
            raise ValidationError(_("API tokens are issued only to active partner-system accounts."))
        raw = secrets.token_urlsafe(32)
        days = lifetime_days or settings.API_TOKEN_LIFETIME_DAYS
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=raw[:8],
            key_hash=_hash_key(raw),
            expires_at=timezone.now() + timedelta(days=days),
            scopes=list(scopes) if scopes is not None else default_scopes(),
        )
        return token, raw

    def rotate(self) -> tuple[APIToken, str]:
        """A new token with the same account, name and scopes; this one is revoked. Returns the new raw key."""
        new, raw = APIToken.issue(self.user, name=self.name, scopes=self.scopes)
        self.revoke()
        return new, raw

    @classmethod
    def find(cls, raw: str) -> APIToken | None:
        """The active token with this key, or None."""
        return cls.objects.active().select_related("user", "user__state").filter(key_hash=_hash_key(raw)).first()

    def revoke(self) -> None:
        from .authentication import forget_token

        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
        forget_token(self)  # the authentication cache must not honour it a moment longer

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Notice(ShareableModel):
    """A short circular that a state or the centre sends to chosen states.

    Small, but real: it is the first model carried by the permission core, and
    the one its tests use.
    """

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    originating_state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("originating state"),
        help_text=_("Empty for a notice of the centre itself."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = ShareableQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        permissions = [("share_notice", _("Can change who a notice is shared with"))]
        indexes = [models.Index(fields=["-created_at", "-id"], name="members_notice_created_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("members:notice-detail", args=[self.pk])


class NoticeGroupObjectPermission(GroupObjectPermissionBase):
    """Direct-FK grants on notices (guardian); one row per group and permission."""

    content_object = models.ForeignKey(Notice, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        verbose_name = _("notice grant")
        verbose_name_plural = _("notice grants")
