"""QR codes as SVG data URIs: drawn on the server, shown by an <img>, no script needed."""
from __future__ import annotations

import base64

import qrcode
from qrcode.image.svg import SvgPathImage


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=SvgPathImage, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
