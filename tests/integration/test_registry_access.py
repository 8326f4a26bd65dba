"""Core's one rule for the personal data of plugins' registries (issue 7, item 4): staff of a keeping
agency, or of an agency holding an ACTIVE step on a dossier about the record, see the whole record and
each such read writes one audit row; everyone else gets the public part. Tested on a registry declared
by a throw-away plugin, so the rule is core's and not any domain's."""

from __future__ import annotations

import pytest

from core.api import (
    DomainInfo,
    L,
    RegistrySpec,
    UserView,
    hookimpl,
    keeper_scope,
    registry_view,
    registry_views,
    split_personal,
)
from core.audit.tables import AuditEntry
from core.catalogue.registry import PluginError, build
from tests.fixtures.builders import standard_tree
from tests.fixtures.dossier_rows import dossier_with_step

PERSON_ID = "075190001234"


class Books:
    """A domain ``books`` whose records are kept by the land registration office (by kind) and by the
    agency named on each record (by code); dossiers name a record by ``book_no``."""

    def __init__(self, spec: RegistrySpec | None = None):
        self.spec = spec or RegistrySpec(
            id="books.records",
            name=L("Sổ thử nghiệm", "Test book"),
            personal=("people.*.id_number", "note"),
            key=lambda r: r["no"],
            keeper_kinds=("land_registry",),
            keeper=lambda r: r.get("kept_at"),
            dossier_codes=lambda r: r.get("dossiers") or (),
            dossier_answers=lambda r: [{"book_no": r["no"]}],
        )

    @hookimpl
    def domain_info(self):
        return DomainInfo(code="books", name=L("Lĩnh vực sổ thử", "Books"))

    @hookimpl
    def register_registries(self):
        return [self.spec]


def _record(no="B-1", kept_at="000.30.31.H39", dossiers=()):
    return {
        "no": no,
        "title": "Bản ghi công khai",
        "kept_at": kept_at,
        "dossiers": list(dossiers),
        "people": [{"name": "Trần Thị Mai", "id_number": PERSON_ID}],
        "note": "ghi chú riêng",
    }


def _user(uid: int, *grants: tuple[dict, str]) -> UserView:
    return UserView(
        id=uid,
        username=f"u{uid}",
        full_name="U",
        cccd=None,
        phone="",
        email="",
        grants=frozenset((a["id"], role) for a, role in grants),
    )


async def _reads() -> list[dict]:
    query = AuditEntry.select().where(AuditEntry.action.like("registry_personal_%"))
    return await query.order_by(AuditEntry.id).output(load_json=True)


@pytest.fixture
async def tree(db, temp_plugin):
    temp_plugin(Books(), "t_books")
    return await standard_tree()


def test_split_personal_removes_the_declared_paths_and_keeps_the_record():
    spec = Books().spec
    record = _record()
    public, personal = split_personal(spec, record)
    assert public["people"] == [{"name": "Trần Thị Mai"}] and "note" not in public and public["title"]
    assert personal == {"people.*.id_number": [PERSON_ID], "note": ["ghi chú riêng"]}
    assert record["people"][0]["id_number"] == PERSON_ID  # the caller's record is untouched


async def test_keepers_see_everything_and_each_read_is_audited(tree):
    office = _user(1, (tree["land_office"], "specialist"))  # kept by kind
    ward = _user(2, (tree["ward"], "receiver"))  # kept by the record's own agency (code)
    for user, agency in ((office, tree["land_office"]), (ward, tree["ward"])):
        view = await registry_view("books.records", _record(), user)
        assert view.personal and view.reason == "keeper" and view.agency.code == agency["code"]
        assert view.record["people"][0]["id_number"] == PERSON_ID
    rows = await _reads()
    assert [(r["actor_id"], r["action"], r["object_type"], r["object_id"], r["chain"]) for r in rows] == [
        (1, "registry_personal_read", "books.records", "B-1", f"agency:{tree['land_office']['code']}"),
        (2, "registry_personal_read", "books.records", "B-1", f"agency:{tree['ward']['code']}"),
    ]
    assert rows[0]["data"]["reason"] == "keeper" and rows[0]["at"] is not None


async def test_other_staff_citizens_and_visitors_get_the_public_part_and_no_audit_row(tree):
    for user in (
        _user(3, (tree["police"], "specialist")),
        _user(4, (tree["commune"], "approver")),
        _user(5, (tree["province"], "citizen")),
        _user(6, (tree["land_office"], "postal_agent")),
        None,
    ):
        view = await registry_view("books.records", _record(), user)
        assert not view.personal and PERSON_ID not in repr(view.record) and "note" not in view.record
        assert view.record["people"][0]["name"] == "Trần Thị Mai"  # what is not declared personal stays
    assert await _reads() == []


async def test_an_active_step_on_a_dossier_about_the_record_opens_it(tree):
    police = _user(7, (tree["police"], "specialist"))
    tax = _user(8, (tree["tax"], "specialist"))
    # named by the record (its dossier codes) — the police step is active
    await dossier_with_step(
        code="D-1", domain="other", procedure_code="9.1", receiving=tree["ward"], step_agency=tree["police"]
    )
    view = await registry_view("books.records", _record(dossiers=["D-1"]), police)
    assert view.personal and view.reason == "dossier" and view.dossier_code == "D-1"
    assert view.agency.code == tree["police"]["code"]
    # named by the dossier's answers (same domain; case and spaces ignored) — the tax step is active
    await dossier_with_step(
        code="D-2",
        domain="books",
        procedure_code="9.2",
        receiving=tree["ward"],
        step_agency=tree["tax"],
        data={"book_no": " b-1 "},
    )
    view = await registry_view("books.records", _record(), tax)
    assert view.personal and view.dossier_code == "D-2"
    rows = await _reads()
    assert [(r["actor_id"], r["chain"], r["data"]["reason"], r["data"]["dossier"]) for r in rows] == [
        (7, f"agency:{tree['police']['code']}", "dossier", "D-1"),
        (8, f"agency:{tree['tax']['code']}", "dossier", "D-2"),
    ]


async def test_a_step_not_active_or_a_dossier_about_another_record_does_not(tree):
    police = _user(9, (tree["police"], "specialist"))
    for code, status in (("D-3", "waiting"), ("D-4", "done"), ("D-5", "cancelled")):
        await dossier_with_step(
            code=code,
            domain="books",
            procedure_code="9.3",
            receiving=tree["ward"],
            step_agency=tree["police"],
            status=status,
            data={"book_no": "B-1"},
        )
    await dossier_with_step(
        code="D-6",
        domain="books",
        procedure_code="9.3",
        receiving=tree["ward"],
        step_agency=tree["police"],
        data={"book_no": "B-2"},
    )
    await dossier_with_step(
        code="D-7",
        domain="other",
        procedure_code="9.4",
        receiving=tree["ward"],
        step_agency=tree["police"],
        data={"book_no": "B-1"},
    )  # another domain's answers
    view = await registry_view("books.records", _record(dossiers=["D-3", "D-4", "D-5"]), police)
    assert not view.personal and await _reads() == []


async def test_a_list_writes_one_row_naming_the_records_shown_whole(tree):
    ward = _user(10, (tree["ward"], "specialist"))
    records = [_record("B-1"), _record("B-2", kept_at="000.30.32.H39"), _record("B-3")]
    views = await registry_views("books.records", records, ward, query={"q": "B", "empty": ""})
    assert [v.personal for v in views] == [True, False, True]
    (row,) = await _reads()
    assert row["action"] == "registry_personal_list" and row["data"]["records"] == ["B-1", "B-3"]
    assert row["data"]["query"] == {"q": "B"}


async def test_keeper_scope_for_search_pages(tree):
    office = await keeper_scope("books.records", _user(11, (tree["land_office"], "receiver")))
    assert office.everything
    clerk = _user(12, (tree["ward"], "receiver"), (tree["province"], "citizen"))
    ward = await keeper_scope("books.records", clerk)
    assert not ward.everything and ward.agency_ids == [tree["ward"]["id"]]
    assert ward.keeps(tree["ward"]["code"]) and ward.keeps(tree["ward"]["id"])
    assert not ward.keeps(tree["commune"]["id"])
    assert (await keeper_scope("books.records", None)).agencies == ()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"id": "Books records"}, "<lĩnh vực>.<tên>"),
        ({"id": "other.records"}, "lĩnh vực do chính plugin khai báo"),
        ({"personal": ()}, "trường thông tin cá nhân"),
        ({"keeper_kinds": ("registry_of_dreams",)}, "loại cơ quan không tồn tại"),
        ({"keeper_kinds": (), "keeper": None}, "cơ quan quản lý sổ"),
    ],
)
def test_bad_registry_declarations_stop_startup_naming_the_plugin(temp_plugin, change, message):
    import dataclasses

    temp_plugin(Books(dataclasses.replace(Books().spec, **change)), "t_bad_books")
    with pytest.raises(PluginError, match="t_bad_books") as err:
        build()
    assert message in str(err.value)
