"""CARICC portal project package: settings, urls, the Celery app and cross-cutting helpers."""

from .celery import app as celery_app

__all__ = ("celery_app",)
