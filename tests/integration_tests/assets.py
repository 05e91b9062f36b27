"""Small files the integration tests send to models, built in code so that no test downloads.

The standard suite downloads a PNG and a PDF from public hosts; the shared cassette
``cassettes/assets.yaml.gz`` answers those downloads with the files built here (see
``scripts/write_cassettes.py``). The feature tests use the same files directly.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass

# The URLs langchain-tests downloads from (its own constants; see chat_models.py there).
STANDARD_IMAGE_URL = (
    "https://raw.githubusercontent.com/langchain-ai/docs/4d11d08b6b0e210bd456943f7a22febbd168b543"
    "/src/images/agentic-rag-output.png"
)
STANDARD_PDF_URL = "https://www.w3.org/WAI/ER/tests/xhtml/testfiles/resources/pdf/dummy.pdf"

WHITE = (255, 255, 255)
BLUE = (30, 90, 200)
GREEN = (40, 160, 70)
BLACK = (0, 0, 0)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _pixel(x: int, y: int) -> tuple[int, int, int]:
    """Two boxes joined by a line: blue on the left, green on the right, on white."""
    if 8 <= y < 40 and 6 <= x < 30:
        return BLUE
    if 8 <= y < 40 and 66 <= x < 90:
        return GREEN
    if 23 <= y < 25 and 30 <= x < 66:
        return BLACK
    return WHITE


def diagram_png(width: int = 96, height: int = 48) -> bytes:
    """A 96x48 RGB PNG: a blue box and a green box joined by a black line."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def titled_pdf(title: str = "Dummy PDF file") -> bytes:
    """A one-page PDF whose only text is ``title`` (uncompressed, so it can be read back)."""
    stream = f"BT /F1 24 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@dataclass(frozen=True)
class Asset:
    """A file the tests send, with what a model sees in it."""

    content: bytes
    mime_type: str
    description: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


DIAGRAM = Asset(
    diagram_png(),
    "image/png",
    "a simple diagram on a white background: a blue box on the left and a green box on "
    "the right, joined by a thin black line",
)
DUMMY_PDF = Asset(titled_pdf(), "application/pdf", 'a one-page PDF titled "Dummy PDF file"')

# What the standard suite downloads, and what the shared cassette answers with.
DOWNLOADS = {STANDARD_IMAGE_URL: DIAGRAM, STANDARD_PDF_URL: DUMMY_PDF}
ALL_ASSETS = (DIAGRAM, DUMMY_PDF)
