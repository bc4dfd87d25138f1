import pytest

from messaging.segments import SmsSegments, count_sms_segments, is_gsm7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsSegments("GSM-7", 0, 0)),
        ("a" * 160, SmsSegments("GSM-7", 160, 1)),
        ("a" * 161, SmsSegments("GSM-7", 161, 2)),
        ("a" * 306, SmsSegments("GSM-7", 306, 2)),
        ("a" * 307, SmsSegments("GSM-7", 307, 3)),
        ("Réunion à 10h", SmsSegments("GSM-7", 13, 1)),
        ("Rendez-vous à la fenêtre", SmsSegments("UCS-2", 24, 1)),
        ("ê" * 70, SmsSegments("UCS-2", 70, 1)),
        ("ê" * 71, SmsSegments("UCS-2", 71, 2)),
        ("ê" * 134, SmsSegments("UCS-2", 134, 2)),
        ("ê" * 135, SmsSegments("UCS-2", 135, 3)),
        # An emoji is a surrogate pair: two UTF-16 code units.
        ("👍", SmsSegments("UCS-2", 2, 1)),
        ("👍" * 35, SmsSegments("UCS-2", 70, 1)),
        ("Merci 👍", SmsSegments("UCS-2", 8, 1)),
        ("a" * 69 + "👍", SmsSegments("UCS-2", 71, 2)),
        # Extension characters take an escape septet as well.
        ("€", SmsSegments("GSM-7", 2, 1)),
        ("€" * 80, SmsSegments("GSM-7", 160, 1)),
        ("a" * 159 + "€", SmsSegments("GSM-7", 161, 2)),
        ("^{}\\[~]|€\f", SmsSegments("GSM-7", 20, 1)),
        ("Ligne 1\nLigne 2", SmsSegments("GSM-7", 15, 1)),
    ],
)
def test_count_sms_segments(text: str, expected: SmsSegments) -> None:
    assert count_sms_segments(text) == expected


def test_escape_sequence_is_not_split_between_parts() -> None:
    # 306 septets would fit two parts of 153, but the euro sign cannot straddle them.
    text = "a" * 152 + "€" + "a" * 152

    assert count_sms_segments(text) == SmsSegments("GSM-7", 306, 3)


def test_surrogate_pair_is_not_split_between_parts() -> None:
    text = "ê" * 66 + "👍" + "ê" * 66

    assert count_sms_segments(text) == SmsSegments("UCS-2", 134, 3)


@pytest.mark.parametrize("char", list("éèàùìòÇÉÄÖÑÜäöñüßØøÅåÆæ@£$¥§¿¡"))
def test_french_and_basic_set_letters_stay_gsm7(char: str) -> None:
    assert is_gsm7(f"Réunion {char}")


@pytest.mark.parametrize("char", list("êçâîôûëïœÈÀÙÊ’«»…"))
def test_letters_outside_the_basic_set_need_ucs2(char: str) -> None:
    assert not is_gsm7(char)
    assert count_sms_segments(f"Réunion {char}").encoding == "UCS-2"
