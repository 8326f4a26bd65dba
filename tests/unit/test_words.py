"""Amounts in Vietnamese words on receipts, at every reading rule's edge: mười / mươi, mốt after
twenty, lăm after ten, linh for a missing ten, không trăm inside a number, tỷ, negative amounts."""

from __future__ import annotations

import pytest

from core.fees.words import amount_in_words, number_to_words

WORDS = [
    (1, "một"),
    (4, "bốn"),
    (9, "chín"),
    (11, "mười một"),  # "mốt" only from twenty on
    (14, "mười bốn"),
    (20, "hai mươi"),
    (31, "ba mươi mốt"),
    (55, "năm mươi lăm"),
    (95, "chín mươi lăm"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm linh một"),
    (1010, "một nghìn không trăm mười"),
    (1100, "một nghìn một trăm"),
    (15000, "mười lăm nghìn"),
    (150000, "một trăm năm mươi nghìn"),
    (1000005, "một triệu không trăm linh năm"),
    (1005000, "một triệu không trăm linh năm nghìn"),
    (2000000, "hai triệu"),
    (999999999, "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
    (1000000000, "một tỷ"),
    (1000000001, "một tỷ không trăm linh một"),
    (2500000000, "hai tỷ năm trăm triệu"),
    (21000000000, "hai mươi mốt tỷ"),
]


@pytest.mark.parametrize(("n", "words"), WORDS, ids=[str(n) for n, _ in WORDS])
def test_number_to_words_reading_rules(n, words):
    assert number_to_words(n) == words


def test_amount_in_words_is_capitalised_and_ends_in_dong():
    assert amount_in_words(0) == "Không đồng"
    assert amount_in_words(50000) == "Năm mươi nghìn đồng"
    assert amount_in_words(1) == "Một đồng"


def test_a_negative_amount_has_no_words():
    with pytest.raises(ValueError, match="^số âm không đọc thành tiền$"):
        number_to_words(-1)
