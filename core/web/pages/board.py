"""``/bang-theo-doi``: the public progress board of an agency, for a screen in the waiting hall — its
dossiers in progress by code (no personal data) in green, yellow or red, the agency holding each red
one, refreshed every 30 s (htmx polling; without JavaScript, a meta refresh)."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from core.dossiers.board import MAX_ROWS, agency_board, board_agencies
from core.dossiers.states import STATE_LABELS
from core.identity.guards import public
from core.web.render import page

__all__ = ("board_index", "board_page", "ROUTES", "REFRESH_SECONDS")

REFRESH_SECONDS = 30


@get(
    "/bang-theo-doi",
    include_in_schema=False,
    name="board_index",
    opt=public("the list of agencies with a public progress board: names and codes only"),
)
async def board_index(request: Request) -> Template:
    """The agencies with dossiers in progress, each a link to its board."""
    return await page(request, "board/index.html", {"agencies": await board_agencies()})


@get(
    "/bang-theo-doi/{agency_code:str}",
    include_in_schema=False,
    name="board_page",
    opt=public("a public progress board: dossier codes, procedures, states and due dates, no personal data"),
)
async def board_page(request: Request, agency_code: str) -> Template:
    """The board, full screen; an htmx poll gets the ``board`` block alone."""
    board = await agency_board(agency_code[:32])
    return await page(
        request,
        "board/board.html",
        {
            "board": board,
            "state_labels": STATE_LABELS,
            "refresh": REFRESH_SECONDS,
            "max_rows": MAX_ROWS,
        },
        block="board",
    )


ROUTES = [board_index, board_page]
