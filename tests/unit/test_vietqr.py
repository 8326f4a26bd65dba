"""VietQR payloads (NAPAS EMVCo MPM) and the Vietnamese amount-in-words of receipts."""

from __future__ import annotations

import pytest

from core.fees.vietqr import (
    BankAccount,
    ascii_purpose,
    build_payload,
    crc16_ccitt_false,
    parse_tlv,
    transfer_purpose,
)
from core.fees.words import amount_in_words, number_to_words

# Published example (subiz/vietqr README): 120.000 VND to VietinBank (970415) account 0011001932418.
KNOWN_GOOD = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
    "530370454061200005802VN62170813ung ho lu lut6304C15C"
)


def test_crc16_ccitt_false_check_value():
    assert crc16_ccitt_false("123456789") == "29B1"  # the catalogue check value of CRC-16/CCITT-FALSE


def test_crc_of_published_payload():
    assert crc16_ccitt_false(KNOWN_GOOD[:-4]) == KNOWN_GOOD[-4:]


def test_build_reproduces_published_payload():
    assert build_payload(BankAccount("970415", "0011001932418"), 120000, "ung ho lu lut") == KNOWN_GOOD


def test_payload_fields_for_a_dossier():
    code = "000.00.01.H39-261123-0007"
    payload = build_payload(BankAccount("970403", "1234567890"), 150000, code)
    fields = parse_tlv(payload)
    assert fields["00"] == "01" and fields["01"] == "12"
    merchant = parse_tlv(fields["38"])
    assert merchant["00"] == "A000000727" and merchant["02"] == "QRIBFTTA"
    assert parse_tlv(merchant["01"]) == {"00": "970403", "01": "1234567890"}
    assert fields["53"] == "704" and fields["54"] == "150000" and fields["58"] == "VN"
    assert parse_tlv(fields["62"])["08"] == code[:25]
    assert payload[-8:-4] == "6304" and crc16_ccitt_false(payload[:-4]) == fields["63"]


def test_long_dossier_code_keeps_every_digit_in_the_purpose():
    assert transfer_purpose("000.00.01.H12-200101-0001") == "000.00.01.H12-200101-0001"
    long_code = "000.00.01.H12-200101-12345"  # 26 characters: the 12,345th dossier of the day
    purpose = transfer_purpose(long_code)
    assert purpose == "0000001H12-200101-12345"
    payload = build_payload(BankAccount("970403", "1234567890"), 50000, purpose)
    assert parse_tlv(parse_tlv(payload)["62"])["08"] == purpose


def test_purpose_is_ascii():
    assert ascii_purpose("Lệ phí hồ sơ Đồng Nai") == "Le phi ho so Dong Nai"


@pytest.mark.parametrize("bad", [dict(bin="9704", number="1"), dict(bin="970415", number="12-34")])
def test_bad_account_rejected(bad):
    with pytest.raises(ValueError):
        build_payload(BankAccount(**bad), 1000, "x")


def test_non_positive_amount_rejected():
    with pytest.raises(ValueError):
        build_payload(BankAccount("970415", "1"), 0, "x")


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (25, "hai mươi lăm"),
        (105, "một trăm linh năm"),
        (1005, "một nghìn không trăm linh năm"),
        (50000, "năm mươi nghìn"),
        (1000500, "một triệu năm trăm"),
        (1001000000, "một tỷ không trăm linh một triệu"),
        (1000000000000, "một nghìn tỷ"),
    ],
)
def test_number_to_words(n, words):
    assert number_to_words(n) == words


def test_amount_in_words_receipt_example():
    assert amount_in_words(1250000) == "Một triệu hai trăm năm mươi nghìn đồng"
