"""The information exchange UI: inbox, lists, search, record page, forms and downloads.

Every page reads through `IntelRecord.objects.visible_to(user)` (via
VisibleQuerysetMixin or get_visible_or_404): a record out of scope is a 404.
Lists are paged by keyset (created_at, id), never by COUNT/OFFSET, so the first
and the hundredth page cost the same.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView
from django_countries import countries

from core import uploads
from core.exports import csv_response
from core.net import client_ip
from core.permissions import get_visible_or_404
from core.views import PageSizeMixin, SortableListMixin, VisibleQuerysetMixin, claim_submission, remember_result
from core.visibility import capped_count
from members.models import State
from members.roles import is_centre_staff

from . import handling, services
from .filters import IntelRecordFilterSet
from .forms import (
    AttachmentForm,
    DisseminationRequestForm,
    GeneralRecordForm,
    IdentifierFormSet,
    RecordEditForm,
    RecordFilterForm,
    RecordForm,
    RemarkingRequestForm,
    RespondForm,
    RFIForm,
    SeizureForm,
    SeizureItemFormSet,
    ShareForm,
)
from .models import AccessLog, DisseminationRequest, Identifier, IntelRecord, RemarkingRequest
from .vocabularies import RecordKind, handling_notice


def state_options() -> list[tuple[str, str]]:
    """(code, name) of every state in the active language, cached for a minute:
    the directory changes a few times a year, list pages are opened all day."""
    from django.core.cache import cache
    from django.utils.translation import get_language

    key = f"intel:state-options:{get_language()}"
    options = cache.get(key)
    if options is None:
        options = [(s.code, s.name) for s in State.objects.only("code", "name_en", "name_ru").by_name()]
        cache.set(key, options, 60)
    return options


def seizure_route_names(seizure) -> list[str]:
    """The route's known countries by name in the reader's language, in order; an
    unknown leg is left out rather than shown as "?"."""
    codes = [seizure.route_origin, seizure.route_departure, *(seizure.route_transit or []), seizure.route_destination]
    return [str(countries.name(code) or code) for code in codes if code]


def render_filter_form(form) -> str:
    """The filter bar as HTML, built in Python: a widget template per <select>
    (over a hundred options in all) cost more than the page's database work."""
    parts = []
    for bound in form:
        field = bound.field
        value = bound.value()
        value = "" if value is None else str(value)
        label = format_html('<label class="form-label small" for="{}">{}</label>', bound.id_for_label, bound.label)
        if hasattr(field, "choices"):
            if isinstance(field, forms.ModelChoiceField):
                options = [("", str(_("All"))), *state_options()]
            else:
                options = [(str(k), str(v)) for k, v in field.choices]
            opts = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((k, mark_safe(" selected") if k == value else "", v) for k, v in options),
            )
            control = format_html(
                '<select class="form-select" name="{}" id="{}">{}</select>', bound.html_name, bound.id_for_label, opts
            )
        else:
            kind = "date" if isinstance(field, forms.DateField) else "text"
            control = format_html(
                '<input class="form-control" type="{}" name="{}" id="{}" value="{}">',
                kind,
                bound.html_name,
                bound.id_for_label,
                value,
            )
        width = "col-md-3" if bound.name == "q" else "col-auto"
        parts.append(format_html('<div class="{}">{}{}</div>', width, label, control))
    return format_html_join("", "{}", ((part,) for part in parts))


def refused(request, exc: handling.HandlingRuleError, record: IntelRecord | None = None):
    """403 with the rule's message, for a user who may see the record (nothing changed)."""
    return render(request, "intel/refused.html", {"message": exc.message, "record": record}, status=403)


def _form_errors_to(form, exc: ValidationError | handling.HandlingRuleError) -> None:
    """Put a service's ValidationError (or a marking rule) on the form, field errors where the field exists."""
    if isinstance(exc, handling.HandlingRuleError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class RecordListView(SortableListMixin, PageSizeMixin, VisibleQuerysetMixin, ListView):
    """All records the user may see, with filters and full-text search.

    `?page_size=N` as everywhere (PageSizeMixin); the pages themselves are keyset
    pages (`?after=`), not Django's COUNT/OFFSET paginator. Only sorts an index
    serves are offered: by date (created_at, id) either way, and by reference
    (unique); the keyset follows the chosen sort.
    """

    model = IntelRecord
    sortable = {
        "date": (("created_at", "id"), gettext_lazy("Date")),
        "reference": ("reference", gettext_lazy("Reference")),
    }
    default_sort = "-date"
    # The count above the list stops here ("more than N"): counting every visible
    # record of a million-row table is what keyset pages avoid.
    count_cap = 500
    template_name = "intel/record_list.html"
    select_related = ("originating_state",)
    heading = gettext_lazy("Records")
    mode = "all"

    def scoped(self, qs):
        return qs

    # The unread marker: one EXISTS per row, wanted on pages, not in the CSV export.
    mark_unread = True

    def get_queryset(self):
        qs = self.scoped(super().get_queryset()).defer("body", "search_vector")
        if self.mark_unread:
            qs = qs.with_unread(self.request.user)
        self.filter_form = RecordFilterForm(self.request.GET or None)
        qs = IntelRecordFilterSet(self.request.GET, queryset=qs).qs
        return self.apply_sort(qs)

    def keyset_filter(self, qs, after: str):
        """The rows after the `?after=` position, in the current sort's direction."""
        sort = self.current_sort
        descending = sort.startswith("-")
        if sort.lstrip("-") == "reference":
            # Unique: the reference alone is the position.
            return qs.filter(reference__lt=after) if descending else qs.filter(reference__gt=after)
        stamp, _sep, pk = after.rpartition("_")
        ts = datetime.fromisoformat(stamp)
        # A range on the indexed created_at, then the tie-break: an OR of
        # the two conditions would keep PostgreSQL off the index.
        if descending:
            return qs.filter(created_at__lte=ts).exclude(Q(created_at=ts) & Q(id__gte=int(pk)))
        return qs.filter(created_at__gte=ts).exclude(Q(created_at=ts) & Q(id__lte=int(pk)))

    def keyset_position(self, row) -> str:
        if self.current_sort.lstrip("-") == "reference":
            return row.reference
        return f"{row.created_at.isoformat()}_{row.pk}"

    def paginate_keyset(self, qs):
        after = self.request.GET.get("after", "")
        if after:
            try:
                qs = self.keyset_filter(qs, after)
            except ValueError as exc:
                raise Http404 from exc
        size = self.get_paginate_by(qs)
        rows = list(qs[: size + 1])
        next_url = None
        if len(rows) > size:
            params = {k: v for k, v in self.request.GET.items() if k != "after"}
            params["after"] = self.keyset_position(rows[size - 1])
            next_url = "?" + urlencode(params)
        return rows[:size], next_url

    def row_dicts(self, rows) -> list[dict]:
        """Rows with their labels resolved once per page, not once per cell.

        Django's template engine and the lazy `get_<field>_display()` calls were
        most of this page's time (docs/performance.md); plain dicts keep it flat.
        """
        kinds = {k: str(v) for k, v in RecordKind.choices}
        # One reverse() per page: "/intel/records/0/" -> "/intel/records/".
        base = reverse("intel:record-detail", args=[0]).rsplit("0/", 1)[0]
        return [
            {
                "pk": r.pk,
                "url": f"{base}{r.pk}/",
                "reference": r.reference,
                "kind": kinds.get(r.kind, r.kind),
                "title": r.title,
                "archived": r.status == "archived",
                "state": r.originator_code,
                "tlp": r.tlp,  # the code: the badge writes TLP:<code> in its colour
                # H1-H3 travel with the record wherever it is shown (issue 10).
                "handling_notice": handling_notice(r.handling_code, r.handling_note),
                "evaluation": r.evaluation_code,
                "created": date_format(timezone.localtime(r.created_at), "SHORT_DATETIME_FORMAT"),
                "is_read": getattr(r, "is_read", True),
            }
            for r in rows
        ]

    def total(self, rows, next_url) -> int | str:
        """How many records the filters match: the first page counts itself; beyond
        it, a count capped at `count_cap` (core.visibility.capped_count)."""
        if not next_url and not self.request.GET.get("after"):
            return len(rows)
        return capped_count(self.object_list, self.count_cap, in_list_order=True)

    def get_context_data(self, **kwargs):
        rows, next_url = self.paginate_keyset(self.object_list)
        context = {
            "records": rows,
            "rows": self.row_dicts(rows),
            "filter_html": render_filter_form(self.filter_form),
            "unread_label": _("Unread"),
            "new_label": _("new"),
            "archived_label": _("archived"),
            "next_url": next_url,
            "filter_form": self.filter_form,
            "heading": self.heading,
            "mode": self.mode,
            "first_url": "?" + urlencode({k: v for k, v in self.request.GET.items() if k != "after"}),
            "is_later_page": bool(self.request.GET.get("after")),
            "total": self.total(rows, next_url),
            "mark_read_url": reverse("intel:mark-read") if self.mode == "inbox" else "",
        }
        context.update(kwargs)
        context["view"] = self
        return context


class ExportView(RecordListView):
    """CSV of the filtered list (at most EXPORT_LIMIT rows), markings included; every row is logged."""

    EXPORT_LIMIT = 1000
    mark_unread = False

    def get(self, request, *args, **kwargs):
        from core.net import client_ip

        from .models import log_export

        records = list(self.get_queryset()[: self.EXPORT_LIMIT])
        header = [
            _("Reference"),
            _("Kind"),
            _("Title"),
            _("Originating state"),
            "TLP",
            _("Handling code"),
            _("Classification"),
            _("Evaluation"),
            _("Date"),
            _("Handling notice"),
        ]
        # Rows built here, in the request's language; core.exports neutralises formula-like text.
        rows = [
            [
                r.reference,
                r.get_kind_display(),
                r.title,
                r.originator_code,
                r.get_tlp_display(),
                r.handling_code,
                r.get_classification_display(),
                r.evaluation_code,
                r.created_at.isoformat(),
                handling_notice(r.handling_code, r.handling_note),
            ]
            for r in records
        ]
        log_export(request.user, [r.pk for r in records], ip=client_ip(request), detail="csv")
        return csv_response("caricc-records.csv", header, rows)


class InboxView(RecordListView):
    """Records other states shared with mine, unread ones marked."""

    heading = gettext_lazy("Inbox")
    mode = "inbox"

    def scoped(self, qs):
        return qs.from_other_states(self.request.user)


class MyRecordsView(RecordListView):
    """My state's own records."""

    heading = gettext_lazy("My state's records")
    mode = "mine"

    def scoped(self, qs):
        return qs.filter(originating_state_id=self.request.user.state_id)


class SearchView(RecordListView):
    heading = gettext_lazy("Search")
    mode = "search"


# The most records one "mark as read" takes (a page holds at most 500).
MARK_READ_LIMIT = 500


@login_required
@require_POST
def mark_read(request):
    """Bulk "mark as read" from the inbox: the ticked records, those the user may see
    and has not read yet, get one append-only `mark_read` access log entry each.

    Three queries whatever the number ticked: the visible unread ids, one bulk
    insert (and the session). Ids the user may not see are ignored silently,
    as a 404 would be for one record.
    """
    try:
        ids = {int(v) for v in request.POST.getlist("record")}
    except ValueError as exc:
        raise Http404 from exc
    ids = sorted(ids)[:MARK_READ_LIMIT]
    unread = list(
        IntelRecord.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .with_unread(request.user)
        .filter(is_read=False)
        .order_by()
        .values_list("pk", flat=True)
    )
    ip = client_ip(request) or None
    AccessLog.objects.bulk_create(
        AccessLog(
            record_id=pk,
            user=request.user,
            state_id=request.user.state_id,
            action=AccessLog.Action.MARKED_READ,
            ip=ip,
        )
        for pk in unread
    )
    if unread:
        messages.success(
            request,
            ngettext("%(n)d record marked as read.", "%(n)d records marked as read.", len(unread)) % {"n": len(unread)},
        )
    else:
        messages.info(request, _("Nothing to mark: tick the unread records first."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("intel:inbox")
    return HttpResponseRedirect(back)


class RecordDetailView(VisibleQuerysetMixin, DetailView):
    """A record's page. Each GET writes exactly one access log entry."""

    model = IntelRecord
    template_name = "intel/record_detail.html"
    context_object_name = "record"
    select_related = ("originating_state", "agency", "author", "in_reply_to", "seizure", "rfi")
    prefetch_related = ("identifiers", "attachments", "seizure__items", "rfi__questions", "rfi__addressees")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        AccessLog.record_access(request, self.object, AccessLog.Action.VIEW)
        # The recipient state's receipt, on its first opening (one INSERT ... ON CONFLICT DO NOTHING).
        from .models import Receipt

        Receipt.record_opened(self.object, request.user)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        user = self.request.user
        # What the page offers follows the handling rules (intel.handling), as the writes do.
        can_change = handling.can(handling.may_edit, user, record)
        can_share = can_change
        can_ask = handling.can(handling.may_ask, user, record)
        context["recipients"] = record.shared_states().exclude(pk=record.originating_state_id)
        # A linked record the viewer may not see is neither named nor linked.
        context["in_reply_to"] = (
            IntelRecord.objects.visible_to(user).filter(pk=record.in_reply_to_id).only("id", "reference").first()
            if record.in_reply_to_id
            else None
        )
        context["marking_changes"] = record.marking_changes.select_related("changed_by")[:20]
        context["hits"] = services.identifier_hits(user, record)
        context["can_share"] = can_share
        context["can_change"] = can_change
        visible = IntelRecord.objects.visible_to(user)
        context["replies"] = visible.filter(in_reply_to=record).select_related("originating_state")
        seizure = getattr(record, "seizure", None) if record.kind == RecordKind.SEIZURE else None
        context["seizure"] = seizure
        if seizure is not None:
            context["seizure_country"] = countries.name(seizure.country) or seizure.country
            context["route_names"] = seizure_route_names(seizure)
        rfi = getattr(record, "rfi", None) if record.kind == RecordKind.RFI else None
        context["rfi"] = rfi
        context["is_addressee"] = bool(
            rfi and user.state_id and any(s.pk == user.state_id for s in rfi.addressees.all())
        )
        if services.can_see_access_log(user, record):
            context["access_log"] = record.access_log.select_related("user", "state")[:100]
        if can_share:
            context["share_form"] = ShareForm(record=record, initial={"share_with": list(context["recipients"])})
            context["dissemination_requests"] = (
                record.dissemination_requests.filter(status=DisseminationRequest.Status.PENDING)
                .select_related("requesting_state")
                .prefetch_related("states")
            )
            context["remarking_requests"] = record.remarking_requests.filter(
                status=RemarkingRequest.Status.PENDING
            ).select_related("requesting_state", "requested_by")
        elif can_ask:
            context["dissemination_form"] = DisseminationRequestForm(record=record)
            context["remarking_form"] = RemarkingRequestForm(record=record)
        if can_change:
            context["attachment_form"] = AttachmentForm()
        return context


def _require_state_officer(request) -> None:
    if not request.user.has_perm("intel.add_intelrecord") or not request.user.state_id:
        raise PermissionDenied


class _CreateBase(LoginRequiredMixin, FormView):
    # The centre's staff originate the centre's products through this view (RecordCreateView).
    centre_may_create = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (self.centre_may_create and is_centre_staff(request.user)):
            _require_state_officer(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A page shown again after an error cannot keep the file the officer chose
        # (browsers never refill a file input): say so at the field, by its name.
        upload = self.request.FILES.get("attachment") if self.request.method == "POST" else None
        form = context.get("form")
        if upload is not None and form is not None and "attachment" in form.fields:
            form.add_error(
                "attachment",
                _("Choose the file %(name)s again: it was not kept because the form had errors.")
                % {"name": upload.name},
            )
        return context

    def attach(self, record, form) -> None:
        upload = form.cleaned_data.get("attachment")
        if upload:
            services.add_attachment(user=self.request.user, record=record, upload=upload)

    def done(self, record):
        messages.success(self.request, _("Record %s saved.") % record.reference)
        return HttpResponseRedirect(record.get_absolute_url())


class RecordCreateView(_CreateBase):
    """An analytical report, alert or general information (or a centre product, for the centre's staff)."""

    centre_may_create = True

    form_class = GeneralRecordForm
    template_name = "intel/record_form.html"

    def form_valid(self, form):
        identifiers = IdentifierFormSet(self.request.POST, prefix="ident")
        if not identifiers.is_valid():
            return self.render_to_response(self.get_context_data(form=form, identifiers=identifiers))
        try:
            with transaction.atomic():
                if (first := claim_submission(self.request, form)) is not None:
                    return first
                record = services.create_record(
                    user=self.request.user,
                    fields={"kind": form.cleaned_data["kind"], **form.record_fields()},
                    recipients=form.cleaned_data["share_with"],
                    shortcut=form.cleaned_data.get("shortcut") or "",
                    identifiers=[f.cleaned_data for f in identifiers.forms if f.cleaned_data],
                )
                self.attach(record, form)
                remember_result(self.request, record.get_absolute_url())
        except ValidationError as exc:
            _form_errors_to(form, exc)
            return self.render_to_response(self.get_context_data(form=form, identifiers=identifiers))
        return self.done(record)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("identifiers", IdentifierFormSet(prefix="ident"))
        kwargs.setdefault("title", _("New record"))
        return super().get_context_data(**kwargs)


class SeizureCreateView(_CreateBase):
    """A seizure report with its items (formset), identifiers and dissemination."""

    form_class = RecordForm
    template_name = "intel/seizure_form.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("seizure_form", SeizureForm(prefix="seizure", user=self.request.user))
        kwargs.setdefault("items", SeizureItemFormSet(prefix="items"))
        kwargs.setdefault("identifiers", IdentifierFormSet(prefix="ident"))
        return super().get_context_data(**kwargs)

    def form_invalid(self, form):
        return self.render_to_response(
            self.get_context_data(
                form=form,
                seizure_form=SeizureForm(self.request.POST, prefix="seizure", user=self.request.user),
                items=SeizureItemFormSet(self.request.POST, prefix="items"),
                identifiers=IdentifierFormSet(self.request.POST, prefix="ident"),
            )
        )

    def form_valid(self, form):
        seizure_form = SeizureForm(self.request.POST, prefix="seizure", user=self.request.user)
        items = SeizureItemFormSet(self.request.POST, prefix="items")
        identifiers = IdentifierFormSet(self.request.POST, prefix="ident")
        ctx = {"form": form, "seizure_form": seizure_form, "items": items, "identifiers": identifiers}
        if not (seizure_form.is_valid() and items.is_valid() and identifiers.is_valid()):
            return self.render_to_response(self.get_context_data(**ctx))
        item_rows = [f.cleaned_data for f in items.forms if f.cleaned_data]
        if not item_rows:
            items._non_form_errors = items.error_class([_("A seizure report needs at least one seized item.")])
            return self.render_to_response(self.get_context_data(**ctx))
        try:
            with transaction.atomic():
                if (first := claim_submission(self.request, form)) is not None:
                    return first
                record = services.create_seizure(
                    user=self.request.user,
                    fields=form.record_fields(),
                    seizure=seizure_form.details(),
                    items=item_rows,
                    recipients=form.cleaned_data["share_with"],
                    shortcut=form.cleaned_data.get("shortcut") or "",
                    identifiers=[f.cleaned_data for f in identifiers.forms if f.cleaned_data],
                )
                self.attach(record, form)
                remember_result(self.request, record.get_absolute_url())
        except ValidationError as exc:
            _form_errors_to(form, exc)
            return self.render_to_response(self.get_context_data(**ctx))
        return self.done(record)


class RFICreateView(_CreateBase):
    form_class = RFIForm
    template_name = "intel/record_form.html"

    def about_record(self) -> IntelRecord | None:
        """The record asked about (?about=<id>), which the user must see (else 404)."""
        pk = self.request.GET.get("about") or self.request.POST.get("about")
        if not pk:
            return None
        if not str(pk).isdigit():
            raise Http404
        return get_visible_or_404(IntelRecord, self.request.user, pk=int(pk))

    def get_initial(self):
        initial = super().get_initial()
        about = self.about_record()
        if about is not None:
            initial["title"] = _("About %(reference)s") % {"reference": about.reference}
            if about.originating_state_id:
                initial["addressees"] = [about.originating_state_id]
            for name in ("tlp", "handling_code", "handling_note", "classification"):
                initial[name] = getattr(about, name)
        return initial

    def get_context_data(self, **kwargs):
        kwargs.setdefault("identifiers", IdentifierFormSet(prefix="ident"))
        kwargs.setdefault("title", _("New request for information"))
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        identifiers = IdentifierFormSet(self.request.POST, prefix="ident")
        if not identifiers.is_valid():
            return self.render_to_response(self.get_context_data(form=form, identifiers=identifiers))
        try:
            with transaction.atomic():
                if (first := claim_submission(self.request, form)) is not None:
                    return first
                record = services.create_rfi(
                    user=self.request.user,
                    fields=form.record_fields(),
                    addressees=form.cleaned_data["addressees"],
                    purpose=form.cleaned_data["purpose"],
                    legal_basis=form.cleaned_data["legal_basis"],
                    questions=form.question_list(),
                    urgency=form.cleaned_data["urgency"],
                    deadline=form.cleaned_data.get("deadline"),
                    identifiers=[f.cleaned_data for f in identifiers.forms if f.cleaned_data],
                    about=self.about_record(),
                )
                self.attach(record, form)
                remember_result(self.request, record.get_absolute_url())
        except ValidationError as exc:
            _form_errors_to(form, exc)
            return self.render_to_response(self.get_context_data(form=form, identifiers=identifiers))
        return self.done(record)


@login_required
def record_edit(request, pk: int):
    """The originator edits text and markings (intel.handling); history keeps the change.
    Anyone else who may see the record gets 403 with the rule, and nothing changes."""
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    try:
        handling.may_edit(request.user, record)
    except handling.HandlingRuleError as exc:
        return refused(request, exc, record)
    form = RecordEditForm(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_record(
                user=request.user, record=record, fields=form.changes(), reason=form.cleaned_data.get("reason", "")
            )
        except (ValidationError, handling.MarkingRuleError) as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(request, _("Record updated."))
            return HttpResponseRedirect(record.get_absolute_url())
    return render(request, "intel/record_edit.html", {"form": form, "record": record})


@login_required
def respond(request, pk: int):
    """An addressee answers a request for information."""
    record = get_visible_or_404(IntelRecord, request.user, pk=pk, kind=RecordKind.RFI)
    try:
        handling.may_act_for_state(request.user)
    except handling.HandlingRuleError as exc:
        return refused(request, exc, record)
    services.check_addressee(request.user, record.rfi)
    form = RespondForm(
        request.POST or None,
        initial={
            f: getattr(record, f)
            for f in ("tlp", "handling_code", "classification", "source_reliability", "information_credibility")
        },
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "outcome"}
        try:
            reply = services.respond(
                user=request.user, rfi_record=record, fields=fields, outcome=form.cleaned_data["outcome"]
            )
        except services.TransitionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(record.get_absolute_url())
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(request, _("Answer %s sent.") % reply.reference)
            return HttpResponseRedirect(reply.get_absolute_url())
    return render(request, "intel/respond_form.html", {"form": form, "record": record})


@login_required
@require_POST
def rfi_action(request, pk: int, action: str):
    record = get_visible_or_404(IntelRecord, request.user, pk=pk, kind=RecordKind.RFI)
    func = {"acknowledge": services.acknowledge, "close": services.close}.get(action)
    if func is None:
        raise Http404
    try:
        func(user=request.user, rfi_record=record)
        messages.success(request, _("Done."))
    except services.TransitionError as exc:
        messages.error(request, str(exc))
    except handling.HandlingRuleError as exc:
        return refused(request, exc, record)
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
@require_POST
def share(request, pk: int):
    """Set the record's dissemination (the originator only, within the TLP rules)."""
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    try:
        handling.may_share(request.user, record)
    except handling.HandlingRuleError as exc:
        return refused(request, exc, record)
    form = ShareForm(request.POST, record=record)
    if form.is_valid():
        try:
            services.set_dissemination(
                user=request.user,
                record=record,
                states=form.cleaned_data["share_with"],
                shortcut=form.cleaned_data.get("shortcut") or "",
            )
            messages.success(request, _("Dissemination updated."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except handling.HandlingRuleError as exc:
            messages.error(request, exc.message)
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join([_("The dissemination could not be changed."), *errors]))
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
@require_POST
def request_dissemination(request, pk: int):
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    form = DisseminationRequestForm(request.POST, record=record)
    if form.is_valid():
        try:
            services.request_dissemination(user=request.user, record=record, **form.cleaned_data)
        except handling.HandlingRuleError as exc:
            return refused(request, exc, record)
        messages.success(request, _("Your request was sent to the originating state."))
    else:
        messages.error(request, _("Choose states and give a reason."))
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
@require_POST
def decide_dissemination(request, pk: int, request_id: int, decision: str):
    """The originator approves or declines a dissemination request."""
    if decision not in ("approve", "decline"):
        raise Http404
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    req = get_object_or_404(DisseminationRequest, pk=request_id, record=record)
    return _originator_decides(
        request,
        record,
        lambda: services.decide_dissemination(user=request.user, request=req, approve=decision == "approve"),
    )


def _originator_decides(request, record: IntelRecord, decide) -> HttpResponse:
    """Run an originator's decision on a request about the record: a refused rule is a
    403 page naming it, a wrong state or marking a message; back to the record."""
    try:
        decide()
        messages.success(request, _("Decision recorded."))
    except services.TransitionError as exc:
        messages.error(request, str(exc))
    except handling.MarkingRuleError as exc:
        messages.error(request, exc.message)
    except handling.HandlingRuleError as exc:
        return refused(request, exc, record)
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
@require_POST
def request_remarking(request, pk: int):
    """A recipient or the centre asks the originator to change the markings."""
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    form = RemarkingRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_remarking(
                user=request.user, record=record, markings=form.markings(), reason=form.cleaned_data["reason"]
            )
        except handling.MarkingRuleError as exc:
            messages.error(request, exc.message)
        except handling.HandlingRuleError as exc:
            return refused(request, exc, record)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your request was sent to the originating state."))
    else:
        messages.error(request, _("Choose the markings and give a reason."))
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
@require_POST
def decide_remarking(request, pk: int, request_id: int, decision: str):
    """The originator accepts or refuses a re-marking request."""
    if decision not in ("accept", "refuse"):
        raise Http404
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    req = get_object_or_404(RemarkingRequest, pk=request_id, record=record)
    return _originator_decides(
        request, record, lambda: services.decide_remarking(user=request.user, request=req, accept=decision == "accept")
    )


@login_required
@require_POST
def upload_attachment(request, pk: int):
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(user=request.user, record=record, upload=form.cleaned_data["file"])
            messages.success(request, _("File attached."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except handling.HandlingRuleError as exc:
            return refused(request, exc, record)
    else:
        messages.error(request, _("No file was submitted."))
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
def download_attachment(request, pk: int, attachment_id: int):
    """Serve an attachment from private storage to a user who may see the record; logged."""
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    attachment = get_object_or_404(record.attachments, pk=attachment_id)
    AccessLog.record_access(request, record, AccessLog.Action.DOWNLOAD, detail=attachment.filename)
    return uploads.serve_attachment(
        request,
        attachment.file,
        filename=attachment.filename,
        content_type=attachment.content_type,
        sha256=attachment.sha256,
        what=f"intel.attachment:{attachment.pk}",
    )


@login_required
@require_POST
def request_access(request, pk: int, identifier_id: int, state_code: str):
    """From a hit in records the user may not see: send an RFI to the state that holds them."""
    record = get_visible_or_404(IntelRecord, request.user, pk=pk)
    identifier = get_object_or_404(Identifier, pk=identifier_id, record=record)
    state = get_object_or_404(State, code=state_code)
    _require_state_officer(request)
    try:
        rfi = services.request_access(user=request.user, record=record, identifier=identifier, state=state)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(record.get_absolute_url())
    messages.success(request, _("Request %s sent.") % rfi.reference)
    return HttpResponseRedirect(rfi.get_absolute_url())
