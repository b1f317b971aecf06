"""Load the demo data: idempotent, safe to run again and again."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

# Apps whose `demo.seed(context)` is called after the members' own demo data, in order.
DEMO_MODULES = ["members.demo", "intel.demo", "operations.demo", "donors.demo", "reports.demo"]


class Command(BaseCommand):
    help = "Create demo states, agencies, users and content. Password from DEMO_PASSWORD."

    def handle(self, *args, **options):
        import os

        password = os.environ.get("DEMO_PASSWORD", "caricc-demo-2026")
        context = {"password": password, "stdout": self.stdout}
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue
                raise
            with transaction.atomic():
                module.seed(context)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo logins (password: {password}):")
        for username in context.get("users", {}):
            self.stdout.write(f"  {username}")
        if settings.REQUIRE_2FA:
            self.stdout.write("REQUIRE_2FA is on: each user sets up an authenticator app at first sign-in.")
