from pathlib import Path

import polib
from django.utils import translation
from django.utils.translation import gettext

LOCALE = Path(__file__).resolve().parents[1] / "locale/en/LC_MESSAGES"


def test_english_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    assert len(po) > 200
    assert po.untranslated_entries() == []
    compiled = {entry.msgid: entry.msgstr for entry in mo}
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            assert compiled.get(entry.msgid) == entry.msgstr, entry.msgid


def test_chinese_is_the_default_and_english_is_served_from_the_catalogue():
    with translation.override("zh-hans"):
        assert gettext("工作台") == "工作台"
    with translation.override("en"):
        assert gettext("工作台") == "Workbench"
        assert gettext("已结案") == "Closed"
