"""The model authentication backend, tuned for the few queries every page makes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class PortalModelBackend(ModelBackend):
    """Django's ModelBackend, with the user's state loaded alongside the user and
    all model permissions read in one query instead of two."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("state").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                perms = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj)).distinct()
            user_obj._perm_cache = {
                f"{app}.{codename}" for app, codename in perms.values_list("content_type__app_label", "codename")
            }
        return user_obj._perm_cache
