"""Reports in the UI: request one, follow its progress (htmx polling), download it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from core.permissions import get_visible_or_404
from core.views import PageSizeMixin, VisibleQuerysetMixin

from .choices import ReportStatus
from .forms import ReportRequestForm
from .models import ReportRequest
from .services import request_report

PENDING = (ReportStatus.QUEUED, ReportStatus.RUNNING)


class ReportListView(PageSizeMixin, VisibleQuerysetMixin, ListView):
    """The Reports page: the request form and the reports the user may see."""

    model = ReportRequest
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
        context["polling"] = any(r.status in PENDING for r in context["object_list"])
        if self.is_partial:
            return context
        if "form" not in context and self.request.user.has_perm("reports.add_reportrequest"):
            context["form"] = ReportRequestForm(user=self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("reports.add_reportrequest"):
            raise PermissionDenied
        form = ReportRequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                report = request_report(
                    request.user, form.cleaned_data["kind"], form.parameters, form.cleaned_data["format"]
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
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
        context["polling"] = self.object.status in PENDING
        return context


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
