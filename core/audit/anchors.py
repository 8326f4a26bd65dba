"""Anchors of the audit log, kept outside the database: ``<data dir>/audit-anchors.jsonl``.

An anchor is one JSON line recording every chain's head (seq and hash) at a moment, with the number
of chains and rows. Each line carries ``prev``, the ``mac`` of the line before it, and its own
``mac``, an HMAC under the audit key (``core.audit.chain.audit_key``), so a line cannot be edited,
inserted or removed from the middle without the key. The file is opened append-only, created 0600,
and every line is also written to the log (logger ``motcua.audit``) as a second copy outside the
data folder; an operator may also make it append-only for the system (``chattr +a``).

Written by the nightly job ``audit_anchor`` (00:15 Vietnam time), on demand by
``motcua audit anchor``, and once by the migration that introduced sealing (``kind: "cutover"``:
the heads of the unkeyed chains as they were at the upgrade).

Removing the last lines of the file is not detectable from the file alone: compare with the log.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ("ANCHOR_FILE", "anchor_path", "read", "append_anchor", "write_anchor", "anchor_job", "AnchorLog")

ANCHOR_FILE = "audit-anchors.jsonl"
log = logging.getLogger("motcua.audit")


def anchor_path() -> Path:
    from core.settings import get_settings

    return get_settings().data_dir / ANCHOR_FILE


def _canonical(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _mac(key: bytes, obj: dict) -> str:
    return hmac.new(key, _canonical(obj), hashlib.sha256).hexdigest()


@dataclass
class AnchorLog:
    """The valid lines of the anchor file (in order) and any problem found in it."""

    lines: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def pins(self) -> tuple[dict, dict, dict]:
        """``(pinned, longest, cutover)``: per chain, ``{seq: (hash, at)}`` of every anchored head, the
        longest anchored ``(seq, at)``, and ``(seq, hash, at)`` of the latest cutover anchor."""
        pinned: dict[str, dict[int, tuple[str, str]]] = {}
        longest: dict[str, tuple[int, str]] = {}
        cutover: dict[str, tuple[int, str, str]] = {}
        for line in self.lines:
            at = line["at"]
            for chain, (seq, h) in line["chains"].items():
                pinned.setdefault(chain, {})[seq] = (h, at)
                if seq >= longest.get(chain, (0, ""))[0]:
                    longest[chain] = (seq, at)
            if line.get("kind") == "cutover":
                cutover.update({c: (seq, h, at) for c, (seq, h) in line["chains"].items()})
        return pinned, longest, cutover


def read(path: Path | None = None) -> AnchorLog:
    """Read and check the anchor file; lines after the first bad one are not used."""
    from core.audit.chain import GENESIS, audit_key, key_id

    path = path or anchor_path()
    result = AnchorLog()
    if not path.exists():
        return result
    key = audit_key()
    kid, prev = key_id(key), GENESIS
    where = f"Tệp mốc neo {path}"
    for n, raw_line in enumerate(path.read_bytes().splitlines(), 1):
        if not raw_line.strip():
            continue
        try:
            obj = json.loads(raw_line)
            mac = obj.pop("mac")
            chains = obj["chains"]
            shapes = (isinstance(v, list) and len(v) == 2 and isinstance(v[0], int) for v in chains.values())
            if not (
                isinstance(chains, dict)
                and isinstance(obj["at"], str)
                and isinstance(mac, str)
                and all(shapes)
            ):
                raise ValueError
        except (ValueError, KeyError, TypeError, AttributeError):
            result.problems.append(f"{where}, dòng {n}: không đọc được, tệp đã bị sửa.")
            break
        if obj.get("key") != kid:
            result.problems.append(
                f"{where}, dòng {n}: được ký bằng một khoá khác khoá kiểm toán hiện tại "
                "(MOTCUA_AUDIT_KEY hoặc MOTCUA_SECRET_KEY đã bị đổi?)."
            )
            break
        if not hmac.compare_digest(mac, _mac(key, obj)):
            result.problems.append(f"{where}, dòng {n}: đã bị sửa (mã xác thực sai).")
            break
        if obj.get("prev") != prev:
            result.problems.append(
                f"{where}, dòng {n}: không nối tiếp dòng trước (có dòng bị xoá hoặc chèn)."
            )
            break
        result.lines.append(obj)
        prev = mac
    return result


def append_anchor(
    heads: dict[str, tuple[int, str]], *, kind: str = "anchor", path: Path | None = None
) -> dict:
    """Append one anchor line recording ``heads`` (chain -> (seq, hash)); returns the line written.

    The file is locked while the previous line is read and the new one appended, so two processes
    anchoring at once still make one chain of lines.
    """
    from core.audit.chain import GENESIS, audit_key, key_id

    path = path or anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = audit_key()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        content = f.read()
        if not content:
            os.fchmod(f.fileno(), 0o600)
        prev = GENESIS
        lines = [ln for ln in content.splitlines() if ln.strip()]
        if lines:
            try:
                prev = str(json.loads(lines[-1])["mac"])
            except (ValueError, KeyError, TypeError):
                prev = hashlib.sha256(lines[-1]).hexdigest()  # a damaged line: verify reports it
        chains: dict[str, list[Any]] = {c: [int(seq), h] for c, (seq, h) in sorted(heads.items()) if seq > 0}
        obj = {
            "v": 1,
            "kind": kind,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "key": key_id(key),
            "prev": prev,
            "chains": chains,
            "chain_count": len(chains),
            "rows": sum(seq for seq, _ in chains.values()),
        }
        obj["mac"] = _mac(key, obj)
        f.write(_canonical(obj) + b"\n")
        f.flush()
        os.fsync(f.fileno())
    # WARNING so the line reaches the log even where INFO is not configured: this copy is the
    # evidence that the file's tail has not been cut.
    log.warning("audit anchor: %s", _canonical(obj).decode())
    return obj


async def write_anchor() -> dict:
    """Anchor the current head of every chain (from ``audit_head``, read in one statement)."""
    from core.db.tx import raw

    heads = {r["chain"]: (r["seq"], r["hash"]) for r in await raw("SELECT chain, seq, hash FROM audit_head")}
    return append_anchor(heads)


async def anchor_job(ctx: dict, **_kwargs) -> dict:
    """Job entry point (arq cron and the in-process runner): the nightly anchor."""
    line = await write_anchor()
    return {"chains": line["chain_count"], "rows": line["rows"], "at": line["at"]}
