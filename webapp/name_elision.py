"""French elision before a person's name: « d’Inès », « qu’Yves », not « de Inès »."""

import re

from flask_babel import get_locale

# Initials before which « de » and « que » elide. A name starting with h keeps « de »:
# whether its h is mute (« d’Hélène ») or aspirated (« de Hugues ») depends on the name.
ELIDING_INITIALS = frozenset("aeiouyàâäéèêëîïôöùûüÿæœ")


def elide_before_name(text: str, name: str) -> str:
    """Write « d’ » and « qu’ » for « de » and « que » right before `name` in French text.

    `text` is a translated message that contains `name`. A « de » or « que » elides only
    when one plain space and the whole name follow it. Text of another locale is
    returned unchanged.
    """
    locale = get_locale()
    language = locale.language if locale else "fr"
    if language != "fr" or name[:1].lower() not in ELIDING_INITIALS:
        return text
    before_name = re.compile(rf"\b((?i:d|qu))e {re.escape(name)}(?!\w)")
    return before_name.sub(lambda match: f"{match.group(1)}’{name}", text)
