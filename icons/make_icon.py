"""Draws PayDesk's icon (an RGBA PNG) without any image library: a rounded teal square
with a white receipt and a barcode. Run: python3 icons/make_icon.py"""
import struct, zlib, sys

def png(w, h, px):
    raw = b"".join(b"\x00" + bytes(px[y * w * 4:(y + 1) * w * 4]) for y in range(h))
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

def draw(n):
    px = bytearray(n * n * 4)
    r = n * 0.18
    bars = [1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1]
    for y in range(n):
        for x in range(n):
            # rounded square mask
            cx = min(max(x, r), n - 1 - r); cy = min(max(y, r), n - 1 - r)
            inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
            if not inside:
                continue
            c = (15, 118, 110, 255)
            fx, fy = x / n, y / n
            if 0.24 <= fx <= 0.76 and 0.16 <= fy <= 0.84:
                c = (255, 255, 255, 255)
                if 0.32 <= fx <= 0.68 and 0.26 <= fy <= 0.31:
                    c = (15, 118, 110, 255)
                if 0.32 <= fx <= 0.56 and 0.37 <= fy <= 0.41:
                    c = (120, 140, 140, 255)
                if 0.30 <= fx < 0.70 and 0.52 <= fy <= 0.74:
                    i = int((fx - 0.30) / 0.40 * len(bars))
                    if bars[min(i, len(bars) - 1)]:
                        c = (20, 20, 20, 255)
            i = (y * n + x) * 4
            px[i:i + 4] = bytes(c)
    return px

for name, size in [("icon.png", 512), ("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256)]:
    with open(f"icons/{name}", "wb") as f:
        f.write(png(size, size, draw(size)))
