"""Demo dossiers at every state, created at the counter and driven through the lifecycle service
by the demo staff exactly as clerks would (``seed_demo_data``)."""

from __future__ import annotations

import logging
import random
from datetime import date, timedelta
from typing import Any

from core.api import DemoDriver, DemoWords
from plugins.civil_status import procedures
from plugins.civil_status.demo_names import HOSPITALS, person

__all__ = ("seed_dossiers", "PLAN")

log = logging.getLogger("motcua.civil_status.demo")

PLAN = {
    procedures.BIRTH: (
        "draft",
        "submitted",
        "received",
        "supplement",
        "closed",
        "refused",
        "approved",
        "ready",
        "returned",
        "returned",
    ),
    procedures.MARRIAGE: ("received", "rejected", "approved", "returned", "stopped"),
    procedures.MARRIAGE_VERIFY: ("received", "suspended", "returned"),
    procedures.DEATH: ("received", "ready", "returned"),
    procedures.BIRTH_LINKED: ("received", "stage2", "returned"),
}
"""Target state of each demo dossier, per procedure, in every commune."""


def _birth_data(rng, used, today: date, place: str, late: bool = False) -> tuple[dict, dict]:
    mother = person(rng, used, gender="nu", born_between=(1988, 2001), place=place)
    father = person(rng, used, gender="nam", born_between=(1985, 1999), place=place)
    child = person(rng, set(), family=father["name"].split()[0], born_between=(2000, 2000))
    born = today - timedelta(days=rng.randrange(70, 120) if late else rng.randrange(2, 40))
    data = {
        "child_full_name": child["name"],
        "child_gender": child["gender"],
        "child_birth_date": born.isoformat(),
        "child_birth_place": rng.choice(HOSPITALS),
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_hometown": "Đồng Nai",
        "birth_certificate_number": f"GCS-{today.year}-{rng.randrange(1000, 9999)}",
        "mother_full_name": mother["name"],
        "mother_birth_date": mother["birth_date"].isoformat(),
        "mother_cccd": mother["cccd"],
        "mother_ethnicity": "Kinh",
        "mother_residence": mother["address"],
        "father_known": "co",
        "father_full_name": father["name"],
        "father_birth_date": father["birth_date"].isoformat(),
        "father_cccd": father["cccd"],
        "father_ethnicity": "Kinh",
        "father_residence": mother["address"],
        "declarant_relation": "me",
        "extract_copies": rng.choice((0, 0, 1, 2)),
    }
    return data, {
        "name": mother["name"],
        "id_number": mother["cccd"],
        "phone": "09" + mother["cccd"][-8:],
        "address": mother["address"],
    }


def _linked_data(rng, used, today, place):
    data, applicant = _birth_data(rng, used, today, place)
    data.update(
        {
            "residence_address": applicant["address"],
            "household_head_name": data["father_full_name"],
            "household_head_cccd": data["father_cccd"],
            "relation_to_head": "Con",
            "hi_facility": f"Trạm Y tế {place}",
        }
    )
    return data, applicant


def _marriage_data(rng, used, today, place):
    h = person(rng, used, gender="nam", born_between=(1988, 2002), place=place)
    w = person(rng, used, gender="nu", born_between=(1990, 2005), place=place)
    data = {}
    for key, p in (("husband", h), ("wife", w)):
        data.update(
            {
                f"{key}_full_name": p["name"],
                f"{key}_birth_date": p["birth_date"].isoformat(),
                f"{key}_cccd": p["cccd"],
                f"{key}_ethnicity": "Kinh",
                f"{key}_nationality": "Việt Nam",
                f"{key}_residence": p["address"],
                f"{key}_marriage_times": 1,
            }
        )
    data.update(voluntary="co", extract_copies=rng.choice((0, 1)))
    return data, {
        "name": h["name"],
        "id_number": h["cccd"],
        "phone": "09" + h["cccd"][-8:],
        "address": h["address"],
    }


def _death_data(rng, used, today, place):
    p = person(rng, used, born_between=(1935, 1960), place=place)
    relative = person(rng, used, born_between=(1965, 1990), place=place)
    data = {
        "deceased_full_name": p["name"],
        "deceased_gender": p["gender"],
        "deceased_birth_date": p["birth_date"].isoformat(),
        "deceased_cccd": p["cccd"],
        "deceased_ethnicity": "Kinh",
        "deceased_nationality": "Việt Nam",
        "deceased_residence": p["address"],
        "death_date": (today - timedelta(days=rng.randrange(1, 10))).isoformat(),
        "death_time": "",
        "death_place": rng.choice(HOSPITALS[:2]),
        "death_cause": "Bệnh",
        "death_notice_issuer": "co_so_y_te",
        "death_notice_number": f"BT-{rng.randrange(100, 999)}",
        "declarant_relation": "con",
        "extract_copies": 1,
    }
    return data, {
        "name": relative["name"],
        "id_number": relative["cccd"],
        "phone": "09" + relative["cccd"][-8:],
        "address": relative["address"],
    }


_BUILDERS = {
    procedures.BIRTH: _birth_data,
    procedures.BIRTH_LINKED: _linked_data,
    procedures.MARRIAGE: _marriage_data,
    procedures.MARRIAGE_VERIFY: _marriage_data,
    procedures.DEATH: _death_data,
}


WORDS = DemoWords(
    refuse="Người đi đăng ký không phải cha, mẹ, người thân thích và không có văn bản ủy quyền.",
    stop="Hai bên có văn bản đề nghị dừng đăng ký kết hôn.",
    supplement_items=("Giấy chứng sinh do cơ sở y tế cấp (bản chính)",),
    supplement_reason="Chưa có giấy chứng sinh hoặc giấy tờ thay thế.",
    suspend="Chờ kết quả xác minh tình trạng hôn nhân tại nơi cư trú trước đây.",
    reject="Bên nam đang có vợ theo xác minh của Ủy ban nhân dân nơi cư trú trước đây.",
    close="Quá thời hạn bổ sung hồ sơ mà người yêu cầu không bổ sung.",
)
"""What the demo's officers write when a civil-status dossier leaves the happy path."""


def _in_stage_2(view, _done: int) -> bool:
    """The linked birth route's second stage (police, health insurance) is under way."""
    return all(s.stage == 2 for s in view.steps if s.status == "active")


async def seed_dossiers(
    communes, staff: dict[tuple[int, str], Any], rng: random.Random, used: set[str], today: date
) -> None:
    driver = DemoDriver(staff, WORDS, name="civil_status", pauses={"stage2": _in_stage_2})
    for commune in communes:
        receiver = staff.get((commune.id, "receiver"))
        if receiver is None:
            log.warning("civil_status demo: no receiver at %s, no dossiers there", commune.code)
            continue
        place = commune.name.replace("UBND ", "")
        for procedure, targets in PLAN.items():
            for i, target in enumerate(targets):
                data, applicant = _BUILDERS[procedure](rng, used, today, place)
                if procedure == procedures.BIRTH and i == len(targets) - 1:
                    data, applicant = _birth_data(rng, used, today, place, late=True)
                await driver.drive(procedure, commune, applicant, data, target)
