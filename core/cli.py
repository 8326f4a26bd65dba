"""The ``motcua`` command: serve, migrate, worker, createadmin, demo, audit, token, backup, restore, plugins."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import cast

__all__ = ("main",)


def _run(coro):
    return asyncio.run(coro)


async def migrate() -> None:
    """Apply every pending migration (core, then each plugin app) on the configured database."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from core.db.tx import engine

    db = engine()
    if db.engine_type == "postgres":
        await db.start_connection_pool()
    try:
        result = await run_forwards(app_name="all", migration_id="all", fake=False)
        if not result.success:
            raise SystemExit(f"Lỗi khi chạy migration: {result.message}")
    finally:
        if db.engine_type == "postgres":
            await db.close_connection_pool()


def cmd_migrate(args) -> None:
    _run(migrate())
    print("Đã cập nhật cơ sở dữ liệu.")


def cmd_serve(args) -> None:
    """Migrate, then run the app under uvicorn: one process, or ``--workers N`` processes sharing the
    port (uvicorn's supervisor restarts a worker that dies). Sessions, sign-in counters, queue tickets
    and page refreshes live in the database or Redis, so any worker may answer any request."""
    import os

    import uvicorn

    from core import logs
    from core.settings import get_settings

    logs.configure()
    _run(migrate())
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # every worker writes its metrics here and /metrics adds them up; emptied at each start
        metrics_dir = get_settings().data_dir / "prometheus"
        metrics_dir.mkdir(mode=0o700, exist_ok=True)
        for stale in metrics_dir.glob("*.db"):
            stale.unlink()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    uvicorn.run(
        "core.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=logs.dict_config(),  # applied in each worker process
        access_log=False,  # core.app logs each request with its id, without the query string
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        server_header=False,  # no "Server: uvicorn" banner
        timeout_graceful_shutdown=5,  # a browser's open connection must not hold a stop or restart
    )


def cmd_worker(args) -> None:
    from core.settings import get_settings

    if not get_settings().redis_url:
        raise SystemExit(
            "REDIS_URL chưa được đặt: không có Redis thì tác vụ nền chạy ngay trong `motcua serve`."
        )
    from arq import run_worker
    from arq.typing import WorkerSettingsBase

    from core import logs
    from core.jobs.worker import WorkerSettings

    logs.configure()
    # arq reads the class's attributes; its protocol types the start/stop hooks as attributes, not methods
    run_worker(cast("type[WorkerSettingsBase]", WorkerSettings), burst=args.burst)


def cmd_createadmin(args) -> None:
    from core.identity import service

    password = args.password or os.environ.get("MOTCUA_ADMIN_PASSWORD") or getpass.getpass("Mật khẩu: ")

    async def go():
        await migrate()
        from core.db.tx import engine

        db = engine()
        if db.engine_type == "postgres":
            await db.start_connection_pool()
        try:
            return await service.create_province_admin(args.username, args.full_name, password)
        finally:
            if db.engine_type == "postgres":
                await db.close_connection_pool()

    try:
        _run(go())
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    print(f"Đã tạo quản trị viên tỉnh '{args.username}'.")


def cmd_demo(args) -> None:
    from core import demo

    async def go():
        await migrate()
        from core.db.tx import engine

        db = engine()
        if db.engine_type == "postgres":
            await db.start_connection_pool()
        try:
            await demo.load()
        finally:
            if db.engine_type == "postgres":
                await db.close_connection_pool()

    _run(go())
    print(f"Đã nạp dữ liệu mẫu. Tài khoản (mật khẩu {demo.DEMO_PASSWORD}): xem docs/demo_accounts.md.")


async def _with_db(coro_fn):
    from core.db.tx import engine

    db = engine()
    if db.engine_type == "postgres":
        await db.start_connection_pool()
    try:
        return await coro_fn()
    finally:
        if db.engine_type == "postgres":
            await db.close_connection_pool()


def cmd_audit_verify(args) -> None:
    from core.audit import chain

    report = _run(_with_db(chain.verify_report))
    for p in report.problems:
        print(p)
    for n in report.notes:
        print(n)
    if report.problems:
        raise SystemExit(1)
    print("Chuỗi nhật ký kiểm toán toàn vẹn.")
    anchored = (
        f"mốc neo gần nhất lúc {chain.vn_time(report.last_anchor)}"
        if report.last_anchor
        else "chưa có mốc neo nào (`motcua audit anchor`)"
    )
    print(f"{report.chains} chuỗi, {report.rows} bản ghi; {anchored}.")


def cmd_audit_anchor(args) -> None:
    from core.audit import anchors

    line = _run(_with_db(anchors.write_anchor))
    print(f"Đã ghi mốc neo vào {anchors.anchor_path()}: {line['chain_count']} chuỗi, {line['rows']} bản ghi.")


async def issue_api_token(username: str, name: str, scope: str = "write", days: int | None = None) -> str:
    """A new JSON API token for the active user ``username`` (audited), or ``ValueError``.

    ``days``: its life (1 to 366); None keeps the old command's token that never expires."""
    from core.audit import chain
    from core.contract.errors import InvalidInput
    from core.identity.api_auth import create_token, issue_token
    from core.identity.tables import User

    user = await User.select(User.id).where((User.username == username) & (User.active.eq(True))).first()
    if user is None:
        raise ValueError(f"Không có tài khoản đang hoạt động tên '{username}'.")
    if days is None and scope == "write":
        token = await issue_token(user["id"], name)
        await chain.append("api_token.issue", object_type="user", object_id=user["id"], data={"name": name})
        return token
    try:
        return await create_token(None, user["id"], name, scope, "" if days is None else str(days))
    except InvalidInput as exc:
        raise ValueError("; ".join(message for _, message in exc.errors) or exc.message) from exc


def cmd_token(args) -> None:
    """``motcua token USER`` (old form: full access, no expiry) or
    ``motcua token create USER --scope read|write --days N``."""
    username = args.username
    if args.username == "create" and args.target:
        username = args.target
        scope, days = args.scope or "write", args.days if args.days is not None else 90
    elif args.target:
        raise SystemExit(f"Không hiểu '{args.username} {args.target}': dùng `motcua token create TÊN ...`.")
    else:
        scope, days = args.scope or "write", args.days
    name = (args.name or "API")[:100]
    try:
        token = _run(_with_db(lambda: issue_api_token(username, name, scope, days)))
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    life = f"hết hạn sau {days} ngày" if days is not None else "không hết hạn"
    right = "chỉ đọc" if scope == "read" else "đọc và ghi"
    print(f"Mã truy cập API '{name}' của '{username}' ({right}, {life}; chỉ hiện một lần, hãy lưu lại ngay):")
    print(token)
    print("Gửi kèm mỗi yêu cầu: Authorization: Bearer <mã>. Tài liệu API: /schema/openapi.json")


def cmd_backup(args) -> None:
    from core.db import backup

    try:
        manifest = _run(_with_db(lambda: backup.backup(Path(args.path))))
    except backup.BackupError as exc:
        raise SystemExit(str(exc)) from exc
    files = sum(1 for name in manifest.files if name.startswith("data/"))
    rows = sum(manifest.tables.values())
    print(f"Đã sao lưu vào {args.path}: {rows} dòng trong {len(manifest.tables)} bảng, {files} tệp dữ liệu.")
    print("Tệp sao lưu chứa dữ liệu cá nhân: cất giữ như chính cơ sở dữ liệu.")


def cmd_restore(args) -> None:
    from core.audit import chain
    from core.db import backup

    try:
        manifest = _run(_with_db(lambda: backup.restore(Path(args.path))))
    except backup.BackupError as exc:
        raise SystemExit(str(exc)) from exc
    _run(migrate())  # an archive from an older version gets the newer migrations
    report = _run(_with_db(chain.verify_report))
    print(
        f"Đã phục hồi bản sao lưu lúc {manifest.created_at}: {sum(manifest.tables.values())} dòng, "
        f"{sum(1 for n in manifest.files if n.startswith('data/'))} tệp dữ liệu."
    )
    for problem in report.problems:
        print(problem)
    if report.problems:
        raise SystemExit("Chuỗi nhật ký kiểm toán sau phục hồi không toàn vẹn (xem các dòng trên).")
    print(f"Chuỗi nhật ký kiểm toán toàn vẹn: {report.chains} chuỗi, {report.rows} bản ghi.")


def cmd_plugins(args) -> None:
    from core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    for name, plugin in pm.list_name_plugin():
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        print(f"{name}: {', '.join(hooks)}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua", description="Một cửa — thủ tục hành chính một cửa, liên thông."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="chạy ứng dụng web")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "1")),
        help="số tiến trình ứng dụng (mặc định 1, hoặc WEB_CONCURRENCY)",
    )
    p.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="địa chỉ của proxy (nginx) được tin cho X-Forwarded-For/-Proto",
    )
    p.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="cập nhật cơ sở dữ liệu").set_defaults(func=cmd_migrate)
    p = sub.add_parser("worker", help="chạy worker arq (cần REDIS_URL)")
    p.add_argument("--burst", action="store_true", help="chạy hết hàng đợi rồi thoát")
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("createadmin", help="tạo quản trị viên tỉnh")
    p.add_argument("username")
    p.add_argument("--full-name", default="Quản trị viên")
    p.add_argument("--password")
    p.set_defaults(func=cmd_createadmin)
    sub.add_parser("demo", help="nạp dữ liệu mẫu (chạy lại nhiều lần vẫn an toàn)").set_defaults(
        func=cmd_demo
    )
    p = sub.add_parser("audit", help="nhật ký kiểm toán")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="kiểm tra chuỗi băm và các mốc neo").set_defaults(
        func=cmd_audit_verify
    )
    audit_sub.add_parser("anchor", help="ghi mốc neo (đầu mọi chuỗi) ra tệp và nhật ký").set_defaults(
        func=cmd_audit_anchor
    )
    p = sub.add_parser("token", help="cấp mã truy cập API (Authorization: Bearer) cho một tài khoản")
    p.add_argument("username", help="tên đăng nhập, hoặc `create` rồi tên đăng nhập")
    p.add_argument("target", nargs="?", default=None, help=argparse.SUPPRESS)
    p.add_argument("--name", default="", help="tên gợi nhớ của mã (ví dụ: tên hệ thống tích hợp)")
    p.add_argument(
        "--scope", choices=("read", "write"), default=None, help="read: chỉ đọc; write: đọc và ghi"
    )
    p.add_argument("--days", type=int, default=None, help="số ngày hiệu lực (1–366; `create` mặc định 90)")
    p.set_defaults(func=cmd_token)
    p = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu và thư mục dữ liệu vào một tệp .tar.gz")
    p.add_argument("path", help="tệp sao lưu mới (không ghi đè tệp đã có)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="phục hồi một bản sao lưu vào cơ sở dữ liệu và thư mục dữ liệu trống")
    p.add_argument("path", help="tệp do `motcua backup` tạo")
    p.set_defaults(func=cmd_restore)
    sub.add_parser("plugins", help="liệt kê plugin và hook").set_defaults(func=cmd_plugins)
    from core.plugins import get_plugin_manager

    get_plugin_manager().hook.register_commands(subparsers=sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main(sys.argv[1:])
