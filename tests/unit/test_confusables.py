"""``core.api.fold_confusables``: look-alikes from other scripts and compatibility forms fold onto the
Vietnamese Latin alphabet; the letters of that alphabet stay distinct from each other."""

from __future__ import annotations

import pytest

from core.api import fold_confusables


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("\u00d0ại Phát", "Đại Phát"),  # ETH (the security review's example) reads as Đ
        ("V\u0456\u1ec7t N\u0430m", "Việt Nam"),  # Cyrillic і and а
        ("V\u0406\u1ec6T", "VIỆT"),  # Cyrillic capital І keeps its case
        ("\u039fmega \u03bf", "Omega o"),  # Greek omicrons
        ("\uff21\uff22\uff23 \ufb01", "ABC fi"),  # full-width letters, a ligature
        ("\u04d0n", "Ăn"),  # Cyrillic A with breve: the breve is kept
        ("\U0001d400BC", "ABC"),  # mathematical bold A
        ("Ho\u0300a", "H\u00f2a"),  # decomposed input comes back composed
    ],
)
def test_look_alikes_fold(text, folded):
    assert fold_confusables(text) == folded


def test_vietnamese_letters_stay_distinct():
    letters = "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYaăâbcdđeêghiklmnoôơpqrstuưvxy"
    assert fold_confusables(letters) == letters
    tones = ["ma", "má", "mà", "mả", "mã", "mạ"]
    assert [fold_confusables(t) for t in tones] == tones
    assert fold_confusables("Đông") != fold_confusables("Dông")
    assert fold_confusables("Ư") != fold_confusables("U") and fold_confusables("ơ") != fold_confusables("o")
    assert fold_confusables("0O 1lI") == "0O 1lI"  # ASCII is never rewritten
