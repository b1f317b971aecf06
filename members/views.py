"""State directory and notices."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, ListView

from core.views import PageSizeMixin, RestrictedFormMixin, SortableListMixin, VisibleQuerysetMixin

from .filters import StateFilterSet
from .forms import NoticeForm, StateForm
from .models import Notice, State, User
from .roles import Role


class StateListView(SortableListMixin, PageSizeMixin, VisibleQuerysetMixin, ListView):
    """The directory of states, filterable by status; by default in the reader's name order."""

    model = State
    sortable = {
        "code": ("code", gettext_lazy("Code")),
        "status": ("status", gettext_lazy("Status")),
        "joined": ("joined_on", gettext_lazy("Joined")),
    }
    template_name = "members/state_list.html"

    def get_queryset(self):
        self.filterset = StateFilterSet(self.request.GET or None, queryset=super().get_queryset())
        if self.current_sort:
            return self.apply_sort(self.filterset.qs)
        return self.filterset.qs.by_name("status")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filterset.form
        return context


class StateDetailView(VisibleQuerysetMixin, DetailView):
    """A state's page: status and its history, agencies, liaison officers."""

    model = State
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "members/state_detail.html"
    prefetch_related = (
        "agencies",
        "status_history",
        Prefetch(
            "users",
            queryset=User.objects.with_role(Role.LIAISON_OFFICER)
            .select_related("agency")
            .order_by("last_name", "username"),
            to_attr="liaison_officers",
        ),
    )


class NoticeListView(SortableListMixin, PageSizeMixin, VisibleQuerysetMixin, ListView):
    model = Notice
    sortable = {
        "title": ("title", gettext_lazy("Title")),
        "from": ("originating_state__code", gettext_lazy("From")),
        "date": ("created_at", gettext_lazy("Date")),
    }
    default_sort = "-date"
    template_name = "members/notice_list.html"
    select_related = ("originating_state", "author")


class NoticeDetailView(VisibleQuerysetMixin, DetailView):
    model = Notice
    template_name = "members/notice_detail.html"
    select_related = ("originating_state", "author")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shared_states"] = self.object.shared_states()
        return context


class NoticeCreateView(RestrictedFormMixin, LoginRequiredMixin, PermissionRequiredMixin, CreateView):
    """Post a notice; the author's state and the chosen states receive it."""

    model = Notice
    form_class = NoticeForm
    permission_required = "members.add_notice"
    template_name = "members/notice_form.html"

    def save_form(self, form):
        form.instance.author = self.request.user
        form.instance.originating_state = self.request.user.state
        notice = form.save()
        notice.share_with(form.cleaned_data["shared_with"])
        if self.request.user.state:
            # The originating state reads and edits its own notice.
            notice.share_with([self.request.user.state], actions=("view", "change"))
        return notice

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Notice sent."))
        return response

    def get_success_url(self):
        return reverse("members:notice-detail", args=[self.object.pk])


class StateCreateView(LoginRequiredMixin, PermissionRequiredMixin, CreateView):
    """Add a state to the directory (administrators)."""

    model = State
    form_class = StateForm
    permission_required = "members.add_state"
    template_name = "members/state_form.html"

    def form_valid(self, form):
        self.object = form.save(commit=False)
        self.object.save(changed_by=self.request.user)
        messages.success(self.request, _("State added."))
        return HttpResponseRedirect(self.object.get_absolute_url())
