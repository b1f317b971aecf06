"""Issue an API token to a partner-system account and print it once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from members.models import APIToken, User
from members.scopes import ALL_SCOPES


class Command(BaseCommand):
    help = "Create an API token for a partner-system USERNAME; the key is printed once and stored hashed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label for the token.")
        parser.add_argument(
            "--days", type=int, default=None, help="Lifetime in days (default API_TOKEN_LIFETIME_DAYS)."
        )
        parser.add_argument(
            "--scopes",
            default=",".join(ALL_SCOPES),
            help=f"Comma-separated scopes among {', '.join(ALL_SCOPES)} (default: all).",
        )

    def handle(self, username, name, days, scopes, **options):
        scopes = [s.strip() for s in scopes.split(",") if s.strip()]
        unknown = sorted(set(scopes) - set(ALL_SCOPES))
        if unknown:
            raise CommandError(f"Unknown scopes: {', '.join(unknown)}.")
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        try:
            token, raw = APIToken.issue(user, name=name, lifetime_days=days, scopes=scopes)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(f"Token {token.prefix}… for {user.username}, expires {token.expires_at:%Y-%m-%d}.")
        self.stdout.write(raw)
