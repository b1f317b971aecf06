"""factory_boy factories for the members app (other apps keep theirs in tests/<app>/)."""

import factory
from django.contrib.auth.models import Group

from members.models import Agency, Notice, State, User

PASSWORD = "Correct-Horse-Battery-9"


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{chr(65 + (n // 26) % 26)}{chr(65 + n % 26)}")
    name_en = factory.LazyAttribute(lambda o: f"State {o.code}")
    name_ru = factory.LazyAttribute(lambda o: f"Государство {o.code}")
    status = State.Status.MEMBER


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    state = factory.SubFactory(StateFactory)
    kind = Agency.Kind.POLICE
    name_en = factory.Sequence(lambda n: f"Agency {n}")
    name_ru = factory.Sequence(lambda n: f"Ведомство {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    title = factory.Sequence(lambda n: f"Notice {n}")
    body = "Text"
    author = factory.SubFactory(UserFactory)
