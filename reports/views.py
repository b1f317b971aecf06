"""Reports in the UI: request one, follow its progress (htmx polling), download it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from core.permissions import get_visible_or_404
from core.views import PageSizeMixin, SortableListMixin, VisibleQuerysetMixin, claim_submission, remember_result

from .choices import ReportStatus
from .forms import LAST_FORMAT_SESSION_KEY, ReportRequestForm
from .models import ReportRequest
from .services import request_report, run_again

PENDING = (ReportStatus.QUEUED, ReportStatus.RUNNING)


def polling_context(request, pending: bool) -> dict:
    """Whether the page polls, and how often: every 2 s at first, backing off by half
    each time up to 30 s (`?poll=n` counts the polls); no polling once nothing is pending."""
    try:
        polls = max(0, min(int(request.GET.get("poll", 0)), 50))
    except ValueError:
        polls = 0
    return {"polling": pending, "poll_interval": min(30, round(2 * 1.5**polls)), "next_poll": polls + 1}


class ReportListView(SortableListMixin, PageSizeMixin, VisibleQuerysetMixin, ListView):
    """The Reports page: the request form and the reports the user may see."""

    model = ReportRequest
    sortable = {
        "number": ("id", "#"),
        "kind": ("kind", gettext_lazy("Report")),
        "format": ("format", gettext_lazy("Format")),
        "requested": ("created_at", gettext_lazy("Requested")),
        "status": ("status", gettext_lazy("Status")),
    }
    default_sort = "-requested"
    template_name = "reports/report_list.html"
    paginate_by = 25
    max_page_size = 100
    select_related = ("requested_by", "owner_state")

    @property
    def is_partial(self) -> bool:
        """The htmx poll asks for the table only."""
        return bool(self.request.headers.get("HX-Request") or self.request.GET.get("partial"))

    def get_template_names(self):
        return ["reports/includes/report_table.html"] if self.is_partial else [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(polling_context(self.request, any(r.status in PENDING for r in context["object_list"])))
        if self.is_partial:
            return context
        if "form" not in context and self.request.user.has_perm("reports.add_reportrequest"):
            context["form"] = ReportRequestForm(
                user=self.request.user, last_format=self.request.session.get(LAST_FORMAT_SESSION_KEY, "")
            )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("reports.add_reportrequest"):
            raise PermissionDenied
        form = ReportRequestForm(request.POST, user=request.user)
        if form.is_valid():
            request.session[LAST_FORMAT_SESSION_KEY] = form.cleaned_data["format"]
            try:
                with transaction.atomic():
                    if (first := claim_submission(request, form)) is not None:
                        return first
                    report = request_report(
                        request.user, form.cleaned_data["kind"], form.parameters, form.cleaned_data["format"]
                    )
                    remember_result(request, report.get_absolute_url())
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if report.sent is False:
                    message = _("Report #%(id)d is saved and queued; it starts when the task queue is back.")
                    messages.warning(request, message % {"id": report.pk})
                else:
                    messages.success(request, _("Report #%(id)d requested; it is being built.") % {"id": report.pk})
                return redirect("reports:list")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReportDetailView(VisibleQuerysetMixin, DetailView):
    """One report: parameters, status (live while pending), download or failure reason."""

    model = ReportRequest
    template_name = "reports/report_detail.html"
    select_related = ("requested_by", "owner_state")

    def get_template_names(self):
        if self.request.headers.get("HX-Request") or self.request.GET.get("partial"):
            return ["reports/includes/report_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["report"] = self.object
        context.update(polling_context(self.request, self.object.status in PENDING))
        return context


class ReportRunAgainView(LoginRequiredMixin, View):
    """POST: queue a failed report again (its requester only; others get 404)."""

    def post(self, request, pk: int):
        report = get_visible_or_404(ReportRequest, request.user, "run", pk=pk)
        try:
            report = run_again(request.user, report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Report #%(id)d queued again.") % {"id": report.pk})
        return redirect(report.get_absolute_url())


class ReportDownloadView(LoginRequiredMixin, View):
    """The file, for those who may see the report; 404 otherwise and while it is not ready."""

    def get(self, request, pk: int):
        report = get_visible_or_404(ReportRequest, request.user, pk=pk)
        if not report.is_downloadable:
            raise Http404(_("This report has no file to download."))
        try:
            handle = report.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404(_("This report has no file to download.")) from exc
        response = FileResponse(handle, as_attachment=True, filename=report.download_name)
        response["Content-Type"] = report.content_type
        response["Cache-Control"] = "private, no-store"
        return response
