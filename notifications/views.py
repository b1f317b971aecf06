"""The notification list (keyset pages), marking read, opening a subject, and preferences."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from core.views import SortableListMixin

from . import services
from .forms import PreferencesForm
from .models import Notification

PAGE_SIZE = 25


def keyset_page(qs, after: str, size: int, descending: bool = True):
    """Rows after the cursor "<created_at ISO>_<id>" (newest first, or oldest first when
    not `descending`), and the next cursor."""
    if after:
        try:
            stamp, _sep, pk = after.rpartition("_")
            ts = datetime.fromisoformat(stamp)
            if descending:
                qs = qs.filter(created_at__lte=ts).exclude(Q(created_at=ts) & Q(id__gte=int(pk)))
            else:
                qs = qs.filter(created_at__gte=ts).exclude(Q(created_at=ts) & Q(id__lte=int(pk)))
        except ValueError as exc:
            raise Http404 from exc
    order = ("-created_at", "-id") if descending else ("created_at", "id")
    rows = list(qs.order_by(*order)[: size + 1])
    cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        cursor = f"{last.created_at.isoformat()}_{last.pk}"
    return rows[:size], cursor


class NotificationListView(LoginRequiredMixin, SortableListMixin, TemplateView):
    """The reader's notifications, newest first or (`?sort=date`) oldest first, in keyset pages."""

    template_name = "notifications/list.html"
    sortable = {"date": (("created_at", "id"), gettext_lazy("Date"))}
    default_sort = "-date"

    def get_context_data(self, **kwargs):
        request = self.request
        qs = Notification.objects.readable_by(request.user).select_related("subject_type")
        if request.GET.get("unread"):
            qs = qs.unread()
        descending = self.current_sort.startswith("-")
        rows, cursor = keyset_page(qs, request.GET.get("after", ""), PAGE_SIZE, descending)
        next_url = None
        if cursor:
            params = {k: v for k, v in request.GET.items() if k != "after"}
            next_url = "?" + urlencode({**params, "after": cursor})
        return {
            **super().get_context_data(**kwargs),
            "notifications": rows,
            "next_url": next_url,
            "unread_only": bool(request.GET.get("unread")),
            "descending": descending,
        }


notification_list = NotificationListView.as_view()


@login_required
def open_notification(request, pk: int):
    """Mark read and go to the subject, if the reader may still see it (else 404)."""
    notification = get_object_or_404(Notification.objects.readable_by(request.user), pk=pk)
    services.mark_read(request.user, [notification.pk])
    if not notification.has_link:
        return HttpResponseRedirect(reverse("notifications:list"))
    model = notification.subject_type.model_class()
    subject = get_object_or_404(model._default_manager.visible_to(request.user), pk=notification.subject_id)
    return HttpResponseRedirect(subject.get_absolute_url())


@login_required
@require_POST
def mark_read(request, pk: int):
    services.mark_read(request.user, [pk])
    return HttpResponseRedirect(request.POST.get("next") or reverse("notifications:list"))


@login_required
@require_POST
def mark_all_read(request):
    n = services.mark_read(request.user)
    messages.success(request, _("%(n)s notifications marked read.") % {"n": n})
    return HttpResponseRedirect(reverse("notifications:list"))


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Preferences saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))
    return render(request, "notifications/preferences.html", {"form": form})
