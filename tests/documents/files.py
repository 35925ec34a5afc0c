"""Real PDF and JPEG files of a chosen size, made quickly, with a marker to look for.

The PDF is written by hand (a page showing the marker, uncompressed, and a stream of
random bytes for the size), so its bytes hold the marker as plain text: a scan of the
disk for it finds any copy of the document left in clear.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageDraw


def make_pdf(path: Path, size: int, marker: str) -> bytes:
    """A valid one-page PDF of about ``size`` bytes showing ``marker``; its bytes."""
    text = f"BT /F1 24 Tf 72 720 Td ({marker}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    padding = os.urandom(max(0, size - 1200))
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(padding), padding))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    data = bytes(out)
    path.write_bytes(data)
    return data


def make_jpeg(path: Path, marker: str = "") -> bytes:
    """A small photo-like JPEG (a marker in its comment, so a scan can look for it)."""
    image = Image.new("RGB", (640, 480), (180, 200, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 60, 560, 420), fill=(90, 120, 160))
    draw.ellipse((240, 140, 400, 300), fill=(230, 190, 150))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, comment=marker.encode())
    data = buffer.getvalue()
    path.write_bytes(data)
    return data
