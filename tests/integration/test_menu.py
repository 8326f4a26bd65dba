"""The header's menu: entries declared by page modules, shown by role, only for mounted routes; where
people land after signing in."""

from __future__ import annotations

import re

from litestar import Litestar, get

from core.contract.specs import L, MenuItem
from core.web import menu
from core.web.pages.identity import start_page
from tests.conftest import csrf_from
from tests.fixtures.builders import TEST_PASSWORD, grant, login_as, make_user, standard_tree


def _nav(html: str) -> list[tuple[str, str]]:
    block = html.split('class="nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', block)


@get("/co-that")
async def _real() -> str:
    return "x"


@get("/ho-so/{code:str}")
async def _param(code: str) -> str:
    return code


class _User:
    def __init__(self, *roles: str):
        self.roles = frozenset(roles)
        self.is_staff = bool(self.roles - {"citizen"})


def test_only_entries_with_a_mounted_route_are_shown_once_each_in_order():
    app = Litestar([_real, _param])
    assert menu.route_exists(app, "/co-that") and menu.route_exists(app, "/co-that?x=1")
    assert menu.route_exists(app, "/ho-so/H39.22-251203-0001")
    assert not menu.route_exists(app, "/khong-co") and not menu.route_exists(app, "/ho-so/a/b")
    hooked = [
        MenuItem("/khong-co", L("Không có"), order=1),
        MenuItem("/co-that", L("Thật (móc)"), order=50),
        MenuItem("/co-that", L("Thật (trùng)"), order=60),
    ]
    shown = menu.visible_menu(None, app, hooked)
    assert [(m.href, m.label.vi) for m in shown] == [("/co-that", "Thật (móc)")]


def test_predicates_decide_from_roles():
    clerk, citizen = _User("receiver"), _User("citizen")
    assert menu.staff(clerk) and not menu.staff(citizen) and not menu.staff(None)
    assert menu.citizens(citizen) and not menu.citizens(clerk) and not menu.citizens(None)
    assert menu.visitors(None) and not menu.visitors(citizen)
    leaders = menu.with_role("leader", "approver")
    assert leaders(_User("approver")) and not leaders(clerk) and not leaders(None)
    assert menu.current_entry("/so-theo-doi/xlsx", [MenuItem("/so-theo-doi", L("x"))]) == "/so-theo-doi"
    assert menu.current_entry("/so-theo-doi-khac", [MenuItem("/so-theo-doi", L("x"))]) is None


def test_entry_paths_are_plain_paths():
    for bad in ("so-theo-doi", "/ho-so/{code}"):
        try:
            menu.menu_entry(bad, "x", menu.everyone)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_start_page_depends_on_the_user_and_on_what_is_mounted():
    @get("/can-bo")
    async def inbox() -> str:
        return ""

    @get("/ho-so-cua-toi")
    async def mine() -> str:
        return ""

    bare, full = Litestar([_real]), Litestar([inbox, mine])
    clerk, citizen = _User("specialist"), _User("citizen")
    assert start_page(bare, clerk) == "/" and start_page(bare, citizen) == "/"
    assert start_page(full, clerk) == "/can-bo" and start_page(full, citizen) == "/ho-so-cua-toi"


async def test_header_menu_by_role(client):
    tree = await standard_tree()
    clerk = await make_user("canbo.menu")
    await grant(clerk, tree["ward"], "receiver")
    citizen = await make_user("dan.menu")
    await grant(citizen, tree["ward"], "citizen")

    visitor = dict(_nav((await client.get("/thu-tuc")).text))
    assert "/thu-tuc" in visitor and "/so-theo-doi" not in visitor and "/tai-khoan" not in visitor

    await login_as(client, citizen)
    mine = dict(_nav((await client.get("/thu-tuc")).text))
    assert "/so-theo-doi" not in mine and "/tai-khoan" in mine

    client.cookies.clear()
    await login_as(client, clerk)
    r = await client.get("/so-theo-doi")
    assert r.status_code == 200
    staff_menu = dict(_nav(r.text))
    assert staff_menu["/so-theo-doi"] == "Sổ theo dõi hồ sơ"
    assert '<a href="/so-theo-doi" aria-current="page">' in r.text
    hrefs = [h for h, _ in _nav(r.text)]
    assert len(hrefs) == len(set(hrefs))


async def test_next_address_wins_over_the_start_page(client):
    tree = await standard_tree()
    clerk = await make_user("canbo.next")
    await grant(clerk, tree["ward"], "receiver")
    await client.get("/dang-nhap")
    data = {
        "username": "canbo.next",
        "password": TEST_PASSWORD,
        "_csrf_token": csrf_from(client),
        "next": "/tai-khoan",
    }
    r = await client.post("/dang-nhap", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tai-khoan"
