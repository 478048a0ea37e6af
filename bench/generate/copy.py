"""COPY plumbing: encoding values for COPY, the ``Table`` that streams one table's rows, id reservation."""

import io
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.core.management.base import CommandError
from django.db import connection, models

from bench.generate.context import Chunk

# --- COPY encoding ----------------------------------------------------------------------


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def encode(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    kind = type(value)  # the common exact types first: this runs for every column of every row
    if kind is str:
        return _escape(value)
    if kind is int:
        return str(value)
    if kind is datetime:
        return value.isoformat()
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return _escape(json.dumps(value, ensure_ascii=False))
    return _escape(str(value))


class Table:
    """One table of the generated data: its model, and a function from a chunk's plans to row dicts."""

    def __init__(
        self,
        model: type[models.Model],
        rows: Callable[["Chunk"], Iterable[dict]],
        *,
        auto_id: bool = False,
        has_rows: str | None = "SELECT DISTINCT case_id FROM {table} WHERE case_id = ANY(%s)",
    ):
        """``auto_id``: the rows take their ids from the table's sequence (nothing refers to them).
        ``has_rows``: which of some cases (``= ANY(%s)``) already have rows here, so that ``--only-extra``
        skips them; None for a table written for whatever the others wrote (the events)."""
        self.model = model
        self.rows = rows
        self.has_rows = has_rows.format(table=model._meta.db_table) if has_rows else None
        self.fields = [f for f in model._meta.concrete_fields if not (auto_id and f.primary_key)]
        self.columns = [f.column for f in self.fields]
        self.defaults = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = encode(f.get_default())
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = None  # filled with "now" per chunk
            elif f.null:
                self.defaults[f.attname] = "\\N"
            elif f.blank and isinstance(f, (models.CharField, models.TextField)):
                self.defaults[f.attname] = ""
            else:
                self.defaults[f.attname] = None  # the generator must give it
        self.count = 0

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def copy(self, cursor, chunk: "Chunk") -> int:
        buffer = io.StringIO()
        now_text = encode(chunk.ctx.now)
        cells = []  # (attname, encoded default or None when the generator must give it)
        for f in self.fields:
            default = self.defaults[f.attname]
            if default is None and f.attname in ("created_at", "updated_at", "uploaded_at"):
                default = now_text
            cells.append((f.attname, default))
        write = buffer.write
        written = 0
        for row in self.rows(chunk):
            try:
                write("\t".join([encode(row[a]) if a in row else d for a, d in cells]))
            except TypeError:  # a None default: a column without a value
                missing = [a for a, d in cells if d is None and a not in row]
                if not missing:
                    raise
                raise CommandError(f"generate_data: no value for {self.name}.{missing[0]}") from None
            write("\n")
            written += 1
        if written:
            buffer.seek(0)
            columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            cursor.copy_expert(f"COPY {self.name} ({columns}) FROM STDIN", buffer)
        self.count += written
        return written


def reserve_ids(cursor, model: type[models.Model], n: int) -> list[int]:
    """Take n ids from the table's sequence in one round trip (the rows are then COPYed with them)."""
    if n == 0:
        return []
    table = model._meta.db_table
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    seq = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [seq, seq, n])
    last = cursor.fetchone()[0]
    return list(range(last - n + 1, last + 1))
