"""Valid applications for each civil-status procedure (tests build bad ones from these)."""

from __future__ import annotations

from datetime import date, timedelta


def birth(today: date, **over) -> dict:
    data = {
        "child_full_name": "Nguyễn Minh Khang",
        "child_gender": "nam",
        "child_birth_date": (today - timedelta(days=10)).isoformat(),
        "child_birth_place": "Bệnh viện Đa khoa Đồng Nai",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_hometown": "Biên Hòa, Đồng Nai",
        "birth_certificate_number": "GCS-2026-0142",
        "mother_full_name": "Trần Thị Thu Hà",
        "mother_birth_date": "1995-04-12",
        "mother_cccd": "075195001234",
        "mother_ethnicity": "Kinh",
        "mother_residence": "12 Phan Chu Trinh, phường Trấn Biên",
        "father_known": "co",
        "father_full_name": "Nguyễn Văn Hùng",
        "father_birth_date": "1992-09-30",
        "father_cccd": "075092005678",
        "father_ethnicity": "Kinh",
        "father_residence": "12 Phan Chu Trinh, phường Trấn Biên",
        "declarant_relation": "me",
        "extract_copies": 0,
    }
    data.update(over)
    return data


def birth_linked(today: date, **over) -> dict:
    data = birth(today)
    data.update(
        {
            "residence_address": "12 Phan Chu Trinh, phường Trấn Biên, tỉnh Đồng Nai",
            "household_head_name": "Nguyễn Văn Hùng",
            "household_head_cccd": "075092005678",
            "relation_to_head": "Con",
            "hi_facility": "Trạm Y tế phường Trấn Biên",
        }
    )
    data.update(over)
    return data


def marriage(today: date, **over) -> dict:
    data = {
        "husband_full_name": "Lê Quốc Bảo",
        "husband_birth_date": "1996-02-03",
        "husband_cccd": "075096003311",
        "husband_ethnicity": "Kinh",
        "husband_nationality": "Việt Nam",
        "husband_residence": "phường Trấn Biên",
        "husband_marriage_times": 1,
        "wife_full_name": "Phạm Ngọc Anh",
        "wife_birth_date": "1998-07-21",
        "wife_cccd": "075198004422",
        "wife_ethnicity": "Kinh",
        "wife_nationality": "Việt Nam",
        "wife_residence": "xã Tân Phú",
        "wife_marriage_times": 1,
        "voluntary": "co",
        "extract_copies": 1,
    }
    data.update(over)
    return data


def death(today: date, **over) -> dict:
    data = {
        "deceased_full_name": "Lê Quốc Bảo",
        "deceased_gender": "nam",
        "deceased_birth_date": "1996-02-03",
        "deceased_cccd": "075096003311",
        "deceased_ethnicity": "Kinh",
        "deceased_nationality": "Việt Nam",
        "deceased_residence": "phường Trấn Biên",
        "death_date": (today - timedelta(days=2)).isoformat(),
        "death_time": "04:30",
        "death_place": "Bệnh viện Đa khoa Đồng Nai",
        "death_cause": "Bệnh",
        "death_notice_issuer": "co_so_y_te",
        "death_notice_number": "BT-118",
        "declarant_relation": "vo_chong",
        "extract_copies": 0,
    }
    data.update(over)
    return data
