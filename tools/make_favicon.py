"""Draws portal/static/favicon.ico from the logo's geometry (portal/static/img/logo.svg):
a 32 x 32 icon with a 4x4-supersampled raster, stored as a 32-bit BMP inside an ICO, with
no imaging library. Run it again after changing the logo: `python tools/make_favicon.py`."""

import struct
from pathlib import Path

SIZE, SAMPLES = 32, 4
BLUE, WHITE, GREEN = (0x0B, 0x5C, 0xAD), (0xFF, 0xFF, 0xFF), (0x5F, 0xD3, 0x8D)


def in_round_rect(x, y, left, top, width, height, radius):
    if not (left <= x <= left + width and top <= y <= top + height):
        return False
    cx = min(max(x, left + radius), left + width - radius)
    cy = min(max(y, top + radius), top + height - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def colour_at(x, y):
    """The logo's colour at (x, y), or None outside it: the same shapes as logo.svg, last on top."""
    colour = None
    if in_round_rect(x, y, 0, 0, 32, 32, 7):
        colour = BLUE
    for left, top, width in ((7, 8, 18), (7, 14, 13), (7, 20, 8)):
        if in_round_rect(x, y, left, top, width, 4, 2):
            colour = WHITE
    if (x - 22.5) ** 2 + (y - 22) ** 2 <= 3.5**2:
        colour = GREEN
    return colour


def pixels():
    rows = []
    for py in range(SIZE):
        row = []
        for px in range(SIZE):
            hits = [
                colour_at(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)
                for sy in range(SAMPLES)
                for sx in range(SAMPLES)
            ]
            inside = [c for c in hits if c]
            alpha = round(255 * len(inside) / len(hits))
            rgb = tuple(round(sum(c[i] for c in inside) / len(inside)) for i in range(3)) if inside else (0, 0, 0)
            row.append((*rgb, alpha))
        rows.append(row)
    return rows


def ico() -> bytes:
    rows = pixels()
    xor = b"".join(bytes((b, g, r, a)) for row in reversed(rows) for (r, g, b, a) in row)  # BMP: bottom-up, BGRA
    and_mask = b"\0" * (SIZE * 4)  # 32 px = 4 bytes a row, already a multiple of 4
    header = struct.pack("<IiiHHIIiiII", 40, SIZE, SIZE * 2, 1, 32, 0, len(xor) + len(and_mask), 0, 0, 0, 0)
    image = header + xor + and_mask
    directory = struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 22)
    return directory + image


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "portal" / "static" / "favicon.ico"
    target.write_bytes(ico())
    print(f"{target}: {target.stat().st_size} bytes")
