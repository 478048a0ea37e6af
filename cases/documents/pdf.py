"""PDF rendering with WeasyPrint: HTML templates with lang="zh-CN" and Debian's Noto CJK fonts.

Rendering is slow work: call it outside any database transaction (load the data first,
then render), never inside ``transaction.atomic()``.
"""

import base64

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI, for embedding in documents."""
    svg = segno.make(text, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a document template (extending documents/base.html) to PDF bytes, always in Chinese."""
    from weasyprint import HTML  # imported lazily: Pango is only needed where PDFs are made

    with translation.override("zh-hans"):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
