"""Demo states, agencies and users (idempotent)."""

from datetime import date

from django.contrib.auth.models import Group

from .models import Agency, Notice, State, User
from .roles import Role

FOUNDED = date(2009, 3, 22)

STATES = [
    # code, English, Russian, status, joined on
    ("AZ", "Azerbaijan", "Азербайджан", State.Status.MEMBER, FOUNDED),
    ("KZ", "Kazakhstan", "Казахстан", State.Status.MEMBER, FOUNDED),
    ("KG", "Kyrgyzstan", "Кыргызстан", State.Status.MEMBER, FOUNDED),
    ("RU", "Russian Federation", "Российская Федерация", State.Status.MEMBER, FOUNDED),
    ("TJ", "Tajikistan", "Таджикистан", State.Status.MEMBER, FOUNDED),
    ("TM", "Turkmenistan", "Туркменистан", State.Status.MEMBER, FOUNDED),
    ("UZ", "Uzbekistan", "Узбекистан", State.Status.MEMBER, FOUNDED),
    ("AF", "Afghanistan", "Афганистан", State.Status.CANDIDATE, None),
    ("TR", "Turkey", "Турция", State.Status.CANDIDATE, None),
    ("AT", "Austria", "Австрия", State.Status.OBSERVER, None),
    ("CA", "Canada", "Канада", State.Status.OBSERVER, None),
    ("DE", "Germany", "Германия", State.Status.OBSERVER, None),
    ("FI", "Finland", "Финляндия", State.Status.OBSERVER, None),
    ("FR", "France", "Франция", State.Status.OBSERVER, None),
    ("IT", "Italy", "Италия", State.Status.OBSERVER, None),
    ("GB", "United Kingdom", "Великобритания", State.Status.OBSERVER, None),
    ("US", "United States", "Соединённые Штаты Америки", State.Status.OBSERVER, None),
]

AGENCY_KINDS = [
    (Agency.Kind.POLICE, "Police", "Полиция", "POL"),
    (Agency.Kind.DRUG_CONTROL, "Drug Control Agency", "Агентство по контролю за наркотиками", "DCA"),
    (Agency.Kind.CUSTOMS, "Customs Service", "Таможенная служба", "CUS"),
    (Agency.Kind.BORDER_GUARD, "Border Guard Service", "Пограничная служба", "BGS"),
]

MEMBER_CODES = ["AZ", "KZ", "KG", "RU", "TJ", "TM", "UZ"]


def _user(username, password, *, roles, state=None, first="", last="", superuser=False, agency=None):
    user, created = User.objects.get_or_create(username=username)
    user.first_name, user.last_name = first, last
    user.email = f"{username}@demo.caricc.example"
    user.state = state
    user.agency = agency
    user.is_staff = superuser
    user.is_superuser = superuser
    if created or not user.has_usable_password():
        user.set_password(password)
    user.save()
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def seed(context: dict) -> None:
    password = context["password"]
    states = {}
    for code, name_en, name_ru, status, joined in STATES:
        state = State.objects.filter(code=code).first() or State(code=code)
        state.name_en, state.name_ru, state.status, state.joined_on = name_en, name_ru, status, joined
        state.save()
        states[code] = state
    for code in MEMBER_CODES:
        for kind, en, ru, abbr in AGENCY_KINDS:
            Agency.objects.update_or_create(
                state=states[code],
                name_en=f"{en} of {states[code].name_en}",
                defaults={"kind": kind, "name_ru": f"{ru} ({states[code].name_ru})", "abbreviation": f"{abbr}-{code}"},
            )

    users = context.setdefault("users", {})
    for code in MEMBER_CODES:
        agency = Agency.objects.get(state=states[code], kind=Agency.Kind.DRUG_CONTROL)
        users[f"officer-{code.lower()}"] = _user(
            f"officer-{code.lower()}",
            password,
            roles=[Role.LIAISON_OFFICER],
            state=states[code],
            first="Liaison",
            last=f"Officer {code}",
            agency=agency,
        )
    for code in ["DE", "US"]:
        users[f"observer-{code.lower()}"] = _user(
            f"observer-{code.lower()}",
            password,
            roles=[Role.LIAISON_OFFICER],
            state=states[code],
            first="Observer",
            last=code,
        )
    users["coordinator"] = _user("coordinator", password, roles=[Role.COORDINATOR], first="Centre", last="Coordinator")
    users["analyst"] = _user("analyst", password, roles=[Role.ANALYST], first="Centre", last="Analyst")
    users["donors"] = _user("donors", password, roles=[Role.DONOR_RELATIONS], first="Donor", last="Relations")
    users["admin"] = _user(
        "admin", password, roles=[Role.ADMINISTRATOR], first="System", last="Administrator", superuser=True
    )
    users["partner-kz"] = _user(
        "partner-kz", password, roles=[Role.PARTNER_SYSTEM], state=states["KZ"], first="Partner system", last="KZ"
    )
    context["states"] = states
    seed_notices(context)


NOTICES = [
    # title, originating state (None: the centre), recipients
    (
        "Liaison officers' meeting in Almaty, second week of December",
        None,
        MEMBER_CODES,
        "The centre invites one liaison officer per member state. Agenda and logistics to follow.",
    ),
    (
        "New contact point for customs at the Dostyk crossing",
        "KZ",
        ["UZ", "KG", "RU"],
        "The duty officer of the State Revenue Committee at Dostyk is reachable round the clock.",
    ),
]


def seed_notices(context: dict) -> None:
    """A few circulars so the notices page is not empty (idempotent by title)."""
    users, states = context["users"], context["states"]
    for title, origin, recipients, body in NOTICES:
        author = users[f"officer-{origin.lower()}"] if origin else users["coordinator"]
        notice, created = Notice.objects.get_or_create(
            title=title, defaults={"body": body, "author": author, "originating_state": states.get(origin)}
        )
        if created:
            notice.share_with([states[c] for c in recipients])
            if origin:
                notice.share_with([states[origin]], actions=("view", "change"))
