"""A dossier written straight into the tables (no engine), for the document and fee tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from core.catalogue.tables import ProcedureVersion
from core.dossiers.tables import Dossier, DossierEvent, DossierStep
from tests.fixtures.builders import grant, make_user, standard_tree

__all__ = ("build_dossier", "pdf_text", "qr_payloads", "keep_pdf", "assert_a4_embedded", "CODE", "T")

CODE = "000.00.01.H39-261123-0007"
KEY = "K7M2P9QX"
"""The dossier's status look-up key (R36): every printed QR carries it; form 01 prints it."""


def T(day: int, hour: int, minute: int = 0) -> datetime:
    """A time on November ``day`` 2026, Vietnam clock (stored UTC)."""
    return datetime(2026, 11, day, hour - 7, minute, tzinfo=UTC)


SNAPSHOT = {
    "procedure_code": "9.000001",
    "name": {"vi": "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "en": "Certified copy"},
    "processing_days": 2,
    "sets": 1,
    "legal_basis": ["Nghị định 23/2015/NĐ-CP"],
    "documents": [
        {
            "code": "original",
            "name": {"vi": "Bản chính giấy tờ, văn bản cần chứng thực"},
            "originals": 1,
            "copies": 0,
        },
        {"code": "copy", "name": {"vi": "Bản sao cần chứng thực"}, "originals": 0, "copies": 2},
    ],
}


async def build_dossier(*, steps: bool = True) -> dict:
    """Tree, applicant (Nguyễn Thị Hằng), receiver at the centre (Trần Văn Đức), a received dossier
    with two route steps (one done early, one late) and the events that moved it."""
    tree = await standard_tree()
    applicant = await make_user("hang", full_name="Nguyễn Thị Hằng", cccd="075190001234")
    clerk = await make_user("duc", full_name="Trần Văn Đức")
    await grant(clerk, tree["centre"], "receiver")
    specialist = await make_user("loan", full_name="Lê Thị Loan")
    await grant(specialist, tree["justice"], "specialist")
    pv = ProcedureVersion(
        procedure_code="9.000001", version=1, effective_from=None, data=SNAPSHOT, created_at=T(1, 8)
    )
    await pv.save()
    d = Dossier(
        code=CODE,
        lookup_key=KEY,
        procedure_code="9.000001",
        domain="test",
        procedure_version=pv.id,
        receiving_agency=tree["centre"]["id"],
        applicant=applicant["id"],
        applicant_name="Nguyễn Thị Hằng",
        applicant_id_number="075190001234",
        applicant_phone="0912345678",
        applicant_email="hang@example.vn",
        applicant_address="Số 5 đường Võ Thị Sáu, phường Trấn Biên",
        data={},
        channel="truc_tiep",
        result_channel="counter",
        state="in_processing",
        version=3,
        submitted_at=T(23, 9, 5),
        received_at=T(23, 9, 5),
        due_at=T(25, 16, 30),
        created_at=T(23, 9, 5),
        updated_at=T(23, 9, 5),
    )
    await d.save()
    events = []
    for seq, (action, frm, to, actor, agency, at, note, data) in enumerate(
        [
            ("receive", "submitted", "received", clerk, tree["centre"], T(23, 9, 5), "", {}),
            (
                "request_supplement",
                "received",
                "supplement_requested",
                clerk,
                tree["centre"],
                T(23, 9, 30),
                "Thiếu bản sao",
                {"items": ["Bản sao giấy tờ tùy thân", "Giấy ủy quyền có chứng thực"]},
            ),
            (
                "refuse_intake",
                "received",
                "refused",
                clerk,
                tree["centre"],
                T(23, 10, 0),
                "Giấy tờ đã hết hiệu lực",
                {},
            ),
            (
                "apologise",
                "in_processing",
                "in_processing",
                specialist,
                tree["justice"],
                T(24, 15, 0),
                "Cần xác minh thêm với cơ quan cấp",
                {"new_due": T(27, 16, 30).isoformat(), "old_due": T(25, 16, 30).isoformat()},
            ),
            (
                "stop",
                "in_processing",
                "stopped",
                clerk,
                tree["centre"],
                T(24, 16, 0),
                "Người nộp xin rút hồ sơ",
                {},
            ),
        ],
        start=1,
    ):
        e = DossierEvent(
            dossier=d.id,
            seq=seq,
            action=action,
            from_state=frm,
            to_state=to,
            actor=actor["id"],
            agency=agency["id"],
            note=note,
            data=data,
            at=at,
        )
        await e.save()
        events.append(e.id)
    if steps:
        await DossierStep(
            dossier=d.id,
            stage=0,
            step_id="check",
            agency=tree["justice"]["id"],
            role="specialist",
            status="done",
            budget_minutes=480,
            started_at=T(23, 9, 10),
            due_at=T(24, 9, 10),
            finished_at=T(23, 15, 0),
            outcome="early",
            assignee=specialist["id"],
            handed_by=clerk["id"],
            finished_by=specialist["id"],
        ).save()
        await DossierStep(
            dossier=d.id,
            stage=1,
            step_id="sign",
            agency=tree["centre"]["id"],
            role="approver",
            status="done",
            budget_minutes=240,
            started_at=T(23, 15, 0),
            due_at=T(24, 11, 0),
            finished_at=T(24, 14, 0),
            outcome="late",
            handed_by=specialist["id"],
            finished_by=clerk["id"],
        ).save()
    return {
        "tree": tree,
        "applicant": applicant,
        "clerk": clerk,
        "specialist": specialist,
        "dossier_id": d.id,
        "events": dict(zip(["receive", "supplement", "refuse", "apologise", "stop"], events, strict=True)),
    }


def pdf_text(pdf: bytes, tmp: Path, *, layout: bool = True) -> str:
    f = tmp / "doc.pdf"
    f.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout" if layout else "-raw", str(f), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def qr_payloads(pdf: bytes, tmp: Path) -> list[str]:
    f = tmp / "qr.pdf"
    f.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(f), str(tmp / "page")], check=True
    )
    png = sorted(tmp.glob("page*.png"))[0]
    out = subprocess.run([shutil.which("zbarimg") or "zbarimg", "--raw", "-q", str(png)], capture_output=True)
    return [line for line in out.stdout.decode().splitlines() if line]


def keep_pdf(name: str, pdf: bytes) -> None:
    """Keep a copy under ``$MOTCUA_KEEP_PDFS`` to look at it (``pdftoppm -r 60 -png``)."""
    if keep := os.environ.get("MOTCUA_KEEP_PDFS"):
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{name}.pdf").write_bytes(pdf)


def assert_a4_embedded(pdf: bytes, tmp: Path, *, landscape: bool = False) -> None:
    """Every page A4 (portrait, or landscape for the register); every font embedded and ours."""
    f = tmp / "check.pdf"
    f.write_bytes(pdf)
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(f)], capture_output=True, text=True, check=True
    ).stdout
    sizes = [
        line.split(":", 1)[1].strip()
        for line in info.splitlines()
        if line.startswith("Page") and "size" in line
    ]
    expected = "841.89 x 595.276 pts (A4)" if landscape else "595.276 x 841.89 pts (A4)"
    assert sizes and all(s.startswith(expected) for s in sizes), sizes
    fonts = subprocess.run(["pdffonts", str(f)], capture_output=True, text=True, check=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("Motcua-Serif" in line for line in rows), fonts  # the shipped @font-face files
    assert all(line.split()[-5] == "yes" for line in rows), fonts  # "emb" column
