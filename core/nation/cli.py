"""``motcua dvcqg doi-soat [--ngay YYYY-MM-DD]`` and ``motcua dvcqg lay-ho-so``."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from typing import Any

from core.contract.vntime import VN_TZ

__all__ = ("cmd_national", "KIND_LABELS", "format_report")

KIND_LABELS = {
    "missing_on_portal": "chưa có trên Cổng",
    "missing_here": "có trên Cổng, không có ở hệ thống tỉnh",
    "status": "khác trạng thái",
    "version": "khác phiên bản",
    "payments": "khác số lần thanh toán",
    "ratings": "khác số đánh giá",
    "late": "đồng bộ chậm quá 10 phút hoặc chưa gửi được",
}
"""What each kind of difference means (the report's lines)."""


def format_report(report: dict[str, Any]) -> str:
    """The report as printed: a summary line, then one line per difference."""
    lines = [
        f"Đối soát ngày {report['day']}: {report['checked']} hồ sơ được so sánh, "
        f"{len(report['differences'])} khác biệt."
    ]
    for d in report["differences"]:
        lines.append(
            f"  {d['code']}: {KIND_LABELS.get(d['kind'], d['kind'])} (tỉnh: {d['local']}, Cổng: {d['portal']})"
        )
    return "\n".join(lines)


def cmd_national(args: Any) -> None:
    """Run the reconciliation or a pull now, in this process; exit 1 on differences or failure."""
    import asyncio

    from core.db.tx import engine
    from core.nation import sync

    if args.ngay:
        try:
            day = date.fromisoformat(args.ngay)
        except ValueError:
            sys.exit(f"Ngày '{args.ngay}' không hợp lệ: viết theo dạng YYYY-MM-DD, ví dụ 2026-12-02.")
    else:
        day = datetime.now(VN_TZ).date() - timedelta(days=1)

    async def run() -> Any:
        db = engine()
        if db.engine_type == "postgres":
            await db.start_connection_pool()
        try:
            if args.action == "doi-soat":
                return await sync.reconcile(day)
            return await sync.pull()
        finally:
            if db.engine_type == "postgres":
                await db.close_connection_pool()

    try:
        out = asyncio.run(run())
    except (RuntimeError, ConnectionError) as exc:
        sys.exit(str(exc))
    if args.action == "doi-soat":
        print(format_report(out))
        if out["differences"]:
            sys.exit(1)
        return
    if not out:
        sys.exit("Chưa cấu hình kết nối Cổng Dịch vụ công quốc gia (MOTCUA_NATIONAL_PORTAL_URL hoặc plugin).")
    print(
        f"Đã lấy hồ sơ từ Cổng: {out['imported']} hồ sơ mới, {out['present']} đã có, "
        f"{out['rejected']} không nhận được (xem trang quản trị)."
    )
