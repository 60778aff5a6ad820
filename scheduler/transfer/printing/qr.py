"""QR codes for printed notices: SVG (sharp at any size on paper) and PNG."""
from __future__ import annotations

import base64
import io

import qrcode
from qrcode.image.svg import SvgPathImage


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=SvgPathImage, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    return image.to_string(encoding="unicode")


def qr_png(text: str, box_size: int = 10) -> bytes:
    """A PNG for pasting into other documents (needs Pillow, which WeasyPrint brings)."""
    image = qrcode.make(text, box_size=box_size, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    """The SVG as a data: URI for an <img>: the same markup works in a browser (the CSP
    allows data: images) and in the PDF renderer."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text).encode("utf-8")).decode("ascii")
