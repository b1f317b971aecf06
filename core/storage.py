"""The one storage of private files (attachments, agreements, report files).

FileFields name `private_storage` (a callable, so migrations record the
reference, not the backend); `settings.STORAGES["private"]` decides where the
bytes go: a directory shared by every node, or an S3-compatible bucket
(docs/deployment.md, "Storage").
"""

from typing import cast

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class _PrivateStorage(LazyObject):
    """storages["private"], resolved on first use and again after STORAGES changes.

    A FileField calls its storage callable once, at import; a lazy proxy (like
    Django's own default_storage) lets tests and settings overrides still take effect.
    """

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting: str, **_kwargs) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty  # type: ignore[assignment]  # LazyObject's reset marker


def private_storage() -> Storage:
    """The storage configured as STORAGES["private"] (a lazy proxy)."""
    return cast(Storage, _private)
