"""Leaders' statistics (issue 9): counters written in each transition's transaction agree with a
rebuild from the events; the dashboard's figures are the known ones of a built world; drill-downs
list the dossiers behind each number with a constant query count; the Decision 766 indicators, the
reports (PDF, Excel) and who may see what."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest

from core.dossiers import service
from core.stats.counters import vn_day
from core.stats.tables import StatCounter, StatFact
from tests.fixtures.builders import grant, login_as
from tests.fixtures.engine_route import make_user
from tests.fixtures.stats_world import build_stats_world


@pytest.fixture
async def world(db, temp_plugin, monkeypatch):
    return await build_stats_world(temp_plugin, monkeypatch)


async def _counters() -> dict[tuple, int]:
    rows = await StatCounter.select()
    return {
        (r["agency"], r["procedure_code"], str(r["day"]), r["channel"], r["metric"]): r["value"] for r in rows
    }


async def test_incremental_counters_agree_with_a_rebuild_from_events(world):
    from core.stats.rebuild import rebuild

    incremental = await _counters()
    facts_before = sorted(
        (r["metric"], r["ref"]) for r in await StatFact.select(StatFact.metric, StatFact.ref)
    )
    assert incremental, "the hook counted nothing"
    out = await rebuild()
    assert await _counters() == incremental
    assert (
        sorted((r["metric"], r["ref"]) for r in await StatFact.select(StatFact.metric, StatFact.ref))
        == facts_before
    )
    assert out["facts"] == len(facts_before) and out["counters"] == len(incremental)
    # a lost counter is repaired
    await StatCounter.delete(force=True)
    await rebuild()
    assert await _counters() == incremental


# --- the dashboard's figures ------------------------------------------------------------------------


def _period(days: int = 59) -> str:
    from core.stats.filters import today

    t = today()
    return f"from={(t - timedelta(days=days)):%d/%m/%Y}&to={t:%d/%m/%Y}"


def _text(html: str) -> str:
    """The visible text of a page, one space between words (no SVG)."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _cells(html: str, row_name: str) -> list[str]:
    """The cells of the figures table's row headed ``row_name``."""
    m = re.search(r"<tr[^>]*><th scope=\"row\">" + re.escape(row_name) + r"</th>(.*?)</tr>", html, flags=re.S)
    assert m, f"no row {row_name!r}"
    return [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", m.group(1), flags=re.S)]


COLUMNS = ("received", "received_online", "early", "on_time", "late", "in_progress", "overdue_now")


async def test_a_leader_sees_the_known_figures_of_their_agency(client, world):
    w = world
    await login_as(client, w["users"]["ward_leader"])
    r = await client.get(f"/thong-ke?{_period()}&nhom=agency")
    assert r.status_code == 200, r.text[:2000]
    cells = _cells(r.text, "UBND phường Trấn Biên")
    # received 6 (2 online), resolved early 2 / on time 0 / late 1, in progress 2, overdue now 1
    assert dict(zip(COLUMNS, cells[:7], strict=True)) == dict(
        zip(COLUMNS, ["6", "2", "2", "0", "1", "2", "1"], strict=True)
    )
    assert cells[7] == "66,7 %" and cells[8] == "50,0 %"  # on time share, online payment share
    assert "UBND xã Tân Phú" not in _text(r.text).split("Nhóm số liệu theo")[-1]  # the commune is not theirs
    # this month only: the two dossiers received 40 days ago leave the received figure, not the stock
    day = vn_day(w["now"])  # the day the world was built (not "today": the test may cross midnight)
    t = await client.get(f"/thong-ke?from={day:%d/%m/%Y}&to={day:%d/%m/%Y}&nhom=agency")
    cells = _cells(t.text, "UBND phường Trấn Biên")
    assert cells[0] == "4" and cells[5] == "2" and cells[6] == "1"
    # a chart is drawn for each view (SVG, no script)
    assert r.text.count('<svg role="img"') == 2 and "<script" not in r.text.split("<main")[1]


async def test_the_province_sees_every_agency_and_groups_by_procedure(client, world):
    w = world
    admin = await make_user("tinh_admin", full_name="Quản trị tỉnh")
    await grant(admin, w["tree"]["province"], "province_admin")
    await login_as(client, admin)
    r = await client.get(f"/thong-ke?{_period()}&nhom=agency")
    assert _cells(r.text, "UBND phường Trấn Biên")[0] == "6"
    assert _cells(r.text, "UBND xã Tân Phú")[:7] == ["1", "0", "0", "0", "0", "1", "0"]
    assert _cells(r.text, "Tổng cộng")[:7] == ["7", "2", "2", "0", "1", "3", "1"]
    by_proc = await client.get(f"/thong-ke?{_period()}&nhom=procedure")
    assert _cells(by_proc.text, "Thủ tục liên thông thử nghiệm")[0] == "7"
    by_domain = await client.get(f"/thong-ke?{_period()}&nhom=domain&agency={w['tree']['commune']['id']}")
    assert _cells(by_domain.text, "Thử nghiệm quy trình")[0] == "1"


async def test_who_may_see_what(client, world):
    w = world
    # a specialist is no leader: 403 in Vietnamese
    await login_as(client, w["users"]["ward_specialist"])
    r = await client.get("/thong-ke")
    assert r.status_code == 403 and "lãnh đạo" in r.text
    # a commune leader sees the commune only; asking for the ward is refused at the field
    client.cookies.clear()
    await login_as(client, w["users"]["commune_leader"])
    r = await client.get(f"/thong-ke?{_period()}")
    assert r.status_code == 200 and "UBND phường Trấn Biên" not in _text(r.text)
    r = await client.get(f"/thong-ke/ho-so?chi_so=received&agency={w['tree']['ward']['id']}&{_period()}")
    assert r.status_code == 422 and "Chọn một cơ quan, đơn vị trong danh sách" in r.text
    assert w["dossiers"][1].code not in r.text
    # bad input: a clear message at the field, what was typed kept; an unknown figure is a 404
    r = await client.get("/thong-ke?from=31/02/2026&to=hôm qua&nhom=tinh")
    assert r.status_code == 422
    assert "nhập ngày theo dạng ngày/tháng/năm" in r.text and "Chọn cách nhóm số liệu" in r.text
    assert 'value="hôm qua"' in r.text
    assert (await client.get("/thong-ke/ho-so?chi_so=bogus")).status_code == 404
    # signed out: to sign-in
    client.cookies.clear()
    r = await client.get("/thong-ke", follow_redirects=False)
    assert r.status_code in (302, 303) and "/dang-nhap" in r.headers["location"]


# --- drill-down and who holds what --------------------------------------------------------------------


async def test_every_number_opens_the_dossiers_behind_it(client, world):
    w = world
    ds = w["dossiers"]
    await login_as(client, w["users"]["ward_leader"])

    async def codes(figure: str) -> set[str]:
        r = await client.get(f"/thong-ke/ho-so?chi_so={figure}&{_period()}")
        assert r.status_code == 200, r.text[:1000]
        return set(re.findall(r'href="/ho-so/([^"]+)"', r.text))

    assert await codes("received") == {ds[i].code for i in (1, 2, 3, 4, 5, 6)}
    assert await codes("received_online") == {ds[2].code, ds[3].code}
    assert await codes("resolved_early") == {ds[1].code, ds[3].code}
    assert await codes("resolved_late") == {ds[2].code}
    assert await codes("resolved") == {ds[1].code, ds[2].code, ds[3].code}
    assert await codes("in_progress") == {ds[4].code, ds[6].code}
    assert await codes("stopped") == {ds[5].code}
    assert await codes("paid_online") == {ds[3].code}
    assert await codes("overdue_now") == {ds[4].code}


async def test_who_holds_the_overdue_dossiers(client, world):
    w = world
    await login_as(client, w["users"]["ward_leader"])
    r = await client.get(f"/thong-ke/ai-giu?{_period()}")
    assert r.status_code == 200
    row = re.search(r"<tr><td>1</td>(.*?)</tr>", r.text, flags=re.S)
    assert row, r.text[:3000]
    text = _text(row.group(1))
    assert w["dossiers"][4].code in text and "UBND phường Trấn Biên" in text
    assert "Kiểm tra hồ sơ" in text and "Chưa phân công" in text
    assert w["dossiers"][6].code not in r.text  # in progress, not overdue


# --- Decision 766 --------------------------------------------------------------------------------------


async def test_the_766_index_is_computed_from_the_counters_with_its_formulas(client, world):
    from core.stats.indicators import FormulaError, evaluate, load

    w = world
    await login_as(client, w["users"]["ward_leader"])
    r = await client.get(f"/thong-ke/chi-so-766?{_period()}")
    assert r.status_code == 200
    text = _text(r.text)
    # progress 20 × (2 early + 0 on time) ÷ 6 received; online dossiers min(6, 6 × 2/6 ÷ 0.5);
    # online payment 10 × 1 ÷ 2; no fully online procedure: its share is 0, its use has no data
    assert "Tiến độ giải quyết" in text and "6.67" in text
    assert "4.00" in text and "5.00" in text
    assert "20 * (resolved_early + resolved_on_time) / received" in text
    assert "Chưa đo được" in text and "Mức độ hài lòng" in text
    _source, groups = load()
    assert sum(g.max for g in groups) == 100
    with pytest.raises(FormulaError):
        evaluate("__import__('os')", {})
    with pytest.raises(FormulaError):
        evaluate("unknown_counter * 2", {})
    assert evaluate("4 * paid_online / paid", {"paid_online": 1, "paid": 0}) is None


# --- reports -------------------------------------------------------------------------------------------


async def test_the_report_as_excel_and_as_pdf(client, world, tmp_path):
    from openpyxl import load_workbook

    from core.jobs import runner
    from tests.integration.test_documents_builders import assert_a4_embedded, pdf_text

    w = world
    await login_as(client, w["users"]["ward_leader"])
    x = await client.get(f"/thong-ke/bao-cao.xlsx?{_period()}&nhom=agency")
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(x.content))
    ws = wb["So lieu"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    ward = next(v for v in values if v[0] == "UBND phường Trấn Biên")
    assert ward[1:9] == [6, 2, 3, 2, 0, 1, 2, 1]
    assert any(
        v[1] == "Hồ sơ giải quyết đúng hạn, trước hạn" and v[4] == 6.67
        for v in ([c.value for c in row] for row in wb["Chi so 766"].iter_rows())
    )
    bad = await client.get("/thong-ke/bao-cao.xlsx?from=x")
    assert bad.status_code == 422

    url = f"/thong-ke/bao-cao.pdf?{_period()}&nhom=agency"
    first = await client.get(url)
    if first.status_code == 202:
        assert first.headers["refresh"] == "3" and "Báo cáo đang được in" in first.text
    await runner.run_pending_now()
    await _until_rendered()
    pdf = await client.get(url)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    flat = " ".join(pdf_text(pdf.content, tmp_path, layout=False).split())
    assert "BÁO CÁO THỐNG KÊ KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in flat
    assert "UBND phường Trấn Biên 6 2 3 2 0 1 2 1" in flat
    assert "Tiến độ giải quyết" in flat and "Quyết định số 766/QĐ-TTg" in flat
    assert_a4_embedded(pdf.content, tmp_path, landscape=True)
    out = Path("test-results")
    out.mkdir(exist_ok=True)
    (out / "stats-report.pdf").write_bytes(pdf.content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(out / "stats-report.pdf"),
            str(out / "stats-report"),
        ],
        check=True,
    )
    again = await client.get(url)  # same figures: the same document, byte-identical
    assert again.content == pdf.content


async def _until_rendered() -> None:
    import asyncio

    from core.documents.tables import GeneratedDocument

    for _ in range(600):
        if not await GeneratedDocument.exists().where(
            (GeneratedDocument.kind == "stats_report") & (GeneratedDocument.status != "ready")
        ):
            return
        await asyncio.sleep(0.05)


# --- query counts ------------------------------------------------------------------------------------


@pytest.fixture
def quiet(monkeypatch):
    """Keep the background loop from querying while a page is counted."""
    from core.jobs import relay

    async def idle(*args, **kwargs) -> int:
        return 0

    monkeypatch.setenv("MOTCUA_CRON", "0")
    monkeypatch.setattr(relay, "drain", idle)


async def test_stats_pages_send_the_same_queries_with_many_more_dossiers(quiet, client, count_queries, world):
    from tests.integration.test_query_counts import assert_flat, received_dossier

    w = world
    await login_as(client, w["users"]["ward_leader"])
    grown = False

    async def grow() -> None:
        nonlocal grown
        if not grown:
            for i in range(27):
                await received_dossier(w, 100 + i)
            grown = True

    for url in (
        f"/thong-ke?{_period()}&nhom=procedure",
        f"/thong-ke/ho-so?chi_so=received&{_period()}",
        f"/thong-ke/ho-so?chi_so=in_progress&{_period()}",
        f"/thong-ke/ai-giu?{_period()}",
        f"/thong-ke/chi-so-766?{_period()}",
    ):
        await assert_flat(client, count_queries, url, grow)
    r = await client.get(f"/thong-ke/ho-so?chi_so=received&{_period()}")
    assert len(re.findall(r'href="/ho-so/', r.text)) == 33  # 6 + 27: more than one page would be paged


def test_the_rebuild_is_a_command_and_a_job():
    from core.cli import build_parser
    from core.plugins import get_plugin_manager
    from core.stats.rebuild import cmd_rebuild, rebuild_task

    assert build_parser().parse_args(["thong-ke", "tinh-lai"]).func is cmd_rebuild
    jobs = [j for specs in get_plugin_manager().hook.register_jobs() for j in specs]
    assert any(j.name == "stats_rebuild" and j.func is rebuild_task for j in jobs)


async def test_satisfaction_shows_once_ratings_exist(client, world):
    from core.feedback.service import rate

    w = world
    ds = w["dossiers"]
    await login_as(client, w["users"]["ward_leader"])
    r = await client.get(f"/thong-ke?{_period()}&nhom=agency")
    assert "Mức độ hài lòng sẽ hiển thị khi có đánh giá" in r.text and "lượt đánh giá trong kỳ" not in r.text
    d6 = await service.act(ds[6].id, "stop", actor=w["as"]["receiver"], version=ds[6].version, note="Xin rút")
    await rate(ds[5].code, None, "very_satisfied", key=ds[5].lookup_key)
    await rate(d6.code, None, "dissatisfied", key=d6.lookup_key)
    r = await client.get(f"/thong-ke?{_period()}&nhom=agency")
    text = _text(r.text)
    assert "50,0 % Mức độ hài lòng 2 lượt đánh giá trong kỳ" in text
    assert _cells(r.text, "UBND phường Trấn Biên")[-1] == "50,0 %"
    assert "Mức độ hài lòng sẽ hiển thị khi có đánh giá" not in r.text


async def test_satisfaction_and_feedback_on_time_in_the_766_index_and_the_reports(client, world):
    """The satisfaction group is measured from the ratings and the complaints' answers; the
    indicator nobody can measure yet says why; the xlsx report carries the ratings and the share."""
    from datetime import UTC, datetime

    from openpyxl import load_workbook

    from core.feedback.service import rate
    from core.feedback.tables import Complaint
    from core.stats.filters import today

    w = world
    ds = w["dossiers"]
    ward = w["tree"]["ward"]["id"]
    d6 = await service.act(ds[6].id, "stop", actor=w["as"]["receiver"], version=ds[6].version, note="Xin rút")
    await rate(ds[5].code, None, "very_satisfied", key=ds[5].lookup_key)
    await rate(d6.code, None, "dissatisfied", key=d6.lookup_key)
    day = today() - timedelta(days=3)
    noon = datetime(day.year, day.month, day.day, 5, tzinfo=UTC)  # 12:00 in Vietnam
    for i, answered in enumerate((noon - timedelta(days=1), noon + timedelta(days=1), None, noon)):
        await Complaint(
            number=f"PAKN-T-{i}",
            kind="complaint",
            agency_id=ward,
            subject="Thái độ phục vụ",
            content="Nội dung",
            sender_name="Người gửi",
            status="answered" if answered else "open",
            due_on=day if i < 3 else today() + timedelta(days=5),  # the last one is not due yet
            created_at=noon - timedelta(days=10),
            answered_at=answered,
        ).save()
    await login_as(client, w["users"]["ward_leader"])
    text = _text((await client.get(f"/thong-ke/chi-so-766?{_period()}")).text)
    # ratings: min(6, 6 × 1/2 ÷ 0.9) = 3.33; complaints: 1 of the 3 due answered by its day → 2.00
    assert "Mức độ hài lòng trong tiếp nhận, giải quyết hồ sơ" in text and "3.33" in text
    assert "Phản ánh, kiến nghị được xử lý đúng hạn" in text and "2.00" in text
    assert "Người gửi phản ánh, kiến nghị chưa đánh giá được câu trả lời" in text
    x = await client.get(f"/thong-ke/bao-cao.xlsx?{_period()}&nhom=agency")
    wb = load_workbook(io.BytesIO(x.content))
    rows = [[c.value for c in row] for row in wb["So lieu"].iter_rows()]
    assert rows[2][-2:] == ["Lượt đánh giá", "Tỷ lệ hài lòng"]
    ward_row = next(v for v in rows if v[0] == "UBND phường Trấn Biên")
    assert ward_row[-2:] == [2, "50,0 %"]
    index = [[c.value for c in row] for row in wb["Chi so 766"].iter_rows()]
    assert any(v[1] == "Mức độ hài lòng trong tiếp nhận, giải quyết hồ sơ" and v[4] == 3.33 for v in index)
    assert any(v[1] == "Phản ánh, kiến nghị được xử lý đúng hạn" and v[4] == 2.0 for v in index)
    # the measured total counts the two measured indicators of the group (12 of its 18 points)
    assert any(v[0] == "Tổng điểm các nhóm đo được" and v[3] == 54 for v in index)
