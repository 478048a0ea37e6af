"""Fill English translations into locale/en from a msgid -> msgstr table (every locale/en/*.tsv: 中文<TAB>English).

Usage: python scripts/po_fill.py  — runs makemessages first, then fills, then reports what is missing.
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
TABLES = sorted((ROOT / "locale/en").glob("*.tsv"))


def load_table() -> dict[str, str]:
    table = {}
    lines = [line for path in TABLES for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if line.strip() and not line.startswith("#"):
            source, _, target = line.partition("\t")
            table[source.replace("\\n", "\n")] = target.replace("\\n", "\n")
    return table


def main() -> int:
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=data",
            "--ignore=bench",
            "--ignore=tests",
            "-v0",
        ],
        cwd=ROOT,
        check=True,
    )
    table = load_table()
    po = polib.pofile(str(PO))
    missing = []
    for entry in po:
        if entry.msgid_plural:
            if entry.msgid in table:
                entry.msgstr_plural = {
                    0: table[entry.msgid],
                    1: table.get(entry.msgid_plural, table[entry.msgid]),
                }
            elif not any(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
            continue
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.save(str(PO))
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    for msgid in missing:
        print("MISSING\t" + msgid.replace("\n", "\\n"))
    print(f"{len(po) - len(missing)} translated, {len(missing)} missing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
