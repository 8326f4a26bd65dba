"""The staff inbox ``/can-bo``: where staff arrive after signing in. Parses the filters of the query
string, asks ``core.dossiers.inbox`` for one page, renders it; ``/can-bo/dem`` renders only the counts
by colour (polled by htmx every minute; without JavaScript the page's own links refresh them)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template

from core.catalogue.registry import get_catalogue
from core.dossiers import bulk, inbox
from core.dossiers.states import ACTION_LABELS, CHANNEL_LABELS, STATE_LABELS
from core.identity.guards import requires_staff
from core.text.i18n import gettext as _
from core.web.menu import N_, menu_entry, staff
from core.web.render import page

__all__ = ("inbox_page", "inbox_counts", "ROUTES", "FILTER_KEYS")

STAFF_ONLY = [requires_staff(message="Trang này chỉ dành cho cán bộ, công chức.")]
FILTER_KEYS = (
    "thu_tuc",
    "trang_thai",
    "buoc",
    "kenh",
    "tu_ngay",
    "den_ngay",
    "den_han_hom_nay",
    "qua_han",
    "mau",
)
"""The query-string names of the filters (kept in every link of the page)."""
POLL_SECONDS = 60

menu_entry("/can-bo", N_("My work"), staff, order=1)


def _values(request: Request) -> dict[str, str]:
    """What was typed in the filters, as typed (capped: a filter field holds a code or a date)."""
    return {k: str(request.query_params.get(k) or "")[:64] for k in FILTER_KEYS}


def _query(values: dict[str, str], **changes: Any) -> str:
    merged = {**values, **{k: str(v) for k, v in changes.items()}}
    return urlencode({k: v for k, v in merged.items() if v})


def _choices(result: inbox.InboxPage) -> dict[str, list[tuple[str, Any]]]:
    cat = get_catalogue()
    procedures = sorted(((p.code, p.name) for p in cat.procedures.values()), key=lambda kv: kv[1].vi)
    return {
        "procedures": [(code, name) for code, name in procedures],
        "states": [(k, _(v)) for k, v in STATE_LABELS.items() if k != "draft"],
        "channels": [(k, _(v)) for k, v in CHANNEL_LABELS.items()],
        "steps": result.steps,
    }


@get("/can-bo", include_in_schema=False, name="staff_inbox", guards=STAFF_ONLY)
async def inbox_page(request: Request) -> Template:
    """One page of the user's inbox under the filters of the query string."""
    filters, errors = inbox.parse_filters(request.query_params)
    result = await inbox.inbox_page(request.user, filters)
    values = _values(request)
    present = {a for r in result.rows for a in r.get("bulk", ())}
    query = _query(values)
    return await page(
        request,
        "inbox/index.html",
        {
            "result": result,
            "bulk_actions": [(a, _(ACTION_LABELS.get(a, a))) for a in bulk.BULK_ACTIONS if a in present],
            "action_labels": {a: _(ACTION_LABELS.get(a, a)) for a in bulk.BULK_ACTIONS},
            "back": "/can-bo" + (f"?{query}" if query else ""),
            "values": values,
            "errors": errors,
            "query": _query(values),
            "page_query": lambda n: _query(values, trang=n),
            "colour_query": lambda c: _query({**values, "qua_han": ""}, mau=c),
            "filtered": any(values.values()),
            "poll_seconds": POLL_SECONDS,
            "state_labels": {k: _(v) for k, v in STATE_LABELS.items()},
            "channel_labels": {k: _(v) for k, v in CHANNEL_LABELS.items()},
            **_choices(result),
        },
        block="main",
    )


@get("/can-bo/dem", include_in_schema=False, name="staff_inbox_counts", guards=STAFF_ONLY)
async def inbox_counts(request: Request) -> Template:
    """The counts by colour alone (the live refresh); the whole page for a visit without htmx."""
    filters, _errors = inbox.parse_filters(request.query_params)
    values = _values(request)
    counts = await inbox.inbox_counts(request.user, filters)
    return await page(
        request,
        "inbox/counts.html",
        {
            "counts": counts,
            "values": values,
            "query": _query(values),
            "colour_query": lambda c: _query({**values, "qua_han": ""}, mau=c),
            "poll_seconds": POLL_SECONDS,
        },
        block="counts",
    )


ROUTES = [inbox_page, inbox_counts]
