import pytest

from messaging.keywords import is_stop_keyword


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        "Stop",
        " stop ",
        "\tSTOP\n",
        "STOP!",
        "Stop.",
        "«STOP»",
        '"stop"',
        "STOP SMS",
        "stop  sms",
        "Stop\u00a0SMS",
        "STOPALL",
        "ARRET",
        "arret",
        "ARRÊT",
        "Arrêt !",
        "DESABONNER",
        "désabonner",
        "DÉSABONNER",
        "désinscrire",
        "DESINSCRIRE",
        "UNSUBSCRIBE",
        "Quit",
        "cancel",
        "END",
        "end.",
    ],
)
def test_stop_keywords_are_recognised(text: str) -> None:
    assert is_stop_keyword(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "...",
        "Stop, je ne peux pas samedi",
        "Je voudrais que ça stop",
        "stopper",
        "STOP STOP",
        "stop all",
        "arrête",
        "ends",
        "stop 👍",
        "OK",
        "Oui",
    ],
)
def test_other_replies_are_not_stop_keywords(text: str) -> None:
    assert not is_stop_keyword(text)
