"""The child process that lays out PDFs: HTML in, PDF bytes out, one document after another.

Started by ``cases.documents.pdf`` as a plain script (no Django, no database connection), so the parent
can kill it at the time limit without harming the web or Celery worker it was started from. It stays up
between documents because a fresh process pays about a second for fonts before its first page.

Protocol on stdin/stdout: the parent sends an 8-byte big-endian length and that many bytes of UTF-8
HTML; the child answers one status byte (0 = PDF, 1 = error text), an 8-byte length and the payload.
"""

import struct
import sys
import traceback


def _read_exactly(stream, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main() -> None:
    base_url = sys.argv[1]
    from weasyprint import HTML

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = _read_exactly(stdin, 8)
        if header is None:
            return  # the parent closed the pipe: done
        html = _read_exactly(stdin, struct.unpack(">Q", header)[0])
        if html is None:
            return
        try:
            status, payload = 0, HTML(string=html.decode("utf-8"), base_url=base_url).write_pdf()
        except Exception:  # noqa: BLE001 - any failure is reported to the parent, which logs it
            status, payload = 1, traceback.format_exc().encode()
        stdout.write(struct.pack(">BQ", status, len(payload)) + payload)
        stdout.flush()


if __name__ == "__main__":
    main()
