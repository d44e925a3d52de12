"""Test images built with Pillow: a JPEG with GPS EXIF, a truncated one, a decompression bomb."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def jpeg(width: int = 1200, height: int = 800, *, gps: bool = False, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (40, 120, 160))
    for x in range(0, width, 40):
        image.paste((230, 200, 60), (x, 0, x + 10, height // 4))
    exif = Image.Exif()
    exif[0x010F] = "Sample Camera Maker"  # Make
    exif[0x013B] = "Sample Photographer"  # Artist
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (22.0, 17.0, 5.0), 3: "E", 4: (114.0, 10.0, 20.0)}
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif, quality=90)
    return output.getvalue()


def png(width: int = 300, height: int = 200) -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, 128)).save(output, "PNG")
    return output.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def bomb(side: int = 20_000) -> bytes:
    """A valid PNG of side×side one-bit pixels, all zero: a few kilobytes that decode to 400 million pixels."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")
