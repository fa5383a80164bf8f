"""QR codes drawn on the server as SVG (segno: pure Python, no image libraries, nothing fetched)."""

from __future__ import annotations

import segno


def qr_svg_data_uri(text: str) -> str:
    """A ``data:image/svg+xml`` URI of ``text`` as a QR code, dark on white with the standard quiet zone.

    Error correction M suits a screen (an ``otpauth://`` URI fits comfortably); the
    image is made here, so the secret it carries never goes to a third-party service.
    """
    code = segno.make(text, error="m", micro=False)
    return code.svg_data_uri(scale=5, border=4, dark="#0b0c0c", light="#ffffff")


def group_secret(secret: str, size: int = 4) -> str:
    """``JBSWY3DPEHPK3PXP`` -> ``JBSW Y3DP EHPK 3PXP``: easier to copy into an app by hand."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))
