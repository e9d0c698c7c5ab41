"""What photographing or scanning a paper ECG does to the page, in plain numpy and PIL.

Each distortion takes the rendered page (an RGB ``PIL.Image``), a level (1 mild, 2 strong)
and a numpy generator, and returns the distorted page and the parameters it drew, so that
every page of a set can be rebuilt from its seed and its parameters recorded:

============  =========================================  ===================================
name          level 1                                    level 2
============  =========================================  ===================================
rotation      1.5 degrees, either way                    4 degrees
perspective   corners moved by up to 2% of the size      5% (a phone held at an angle)
blur          Gaussian, radius 1 px (a 1 mm box is       radius 2 px
              3.9 px at 100 dpi)
jpeg          quality 30                                 quality 10
light         a linear shading to 80% brightness plus    to 55%, with a vignette
              a warm cast
grid          the red grid in grey                       in green, fainter traces (a
                                                         different paper)
header        a printed line of patient and device       a header band and footer; the
              data over the top margin                   ECG shrunk to 88% to make room
============  =========================================  ===================================

None of them changes what the ECG shows; a model that reads the page should say the same
about every version of it.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

LEVELS = (1, 2)
WHITE = (255, 255, 255)


def _rotation(page: Image.Image, level: int, rng: np.random.Generator) -> tuple[Image.Image, dict[str, Any]]:
    angle = (1.5 if level == 1 else 4.0) * float(rng.choice([-1.0, 1.0]))
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=WHITE), {"angle_deg": angle}


def _perspective_coefficients(source: np.ndarray, target: np.ndarray) -> list[float]:
    """The 8 coefficients PIL's PERSPECTIVE transform takes: for each output pixel (x, y)
    of the target quadrilateral, where to read in the source."""
    rows = []
    for (x, y), (u, v) in zip(target, source):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(np.array(rows, dtype=np.float64), source.reshape(8).astype(np.float64))
    return [float(c) for c in solution]


def _perspective(page: Image.Image, level: int, rng: np.random.Generator) -> tuple[Image.Image, dict[str, Any]]:
    w, h = page.size
    share = 0.02 if level == 1 else 0.05
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    moved = corners + rng.uniform(-share, share, (4, 2)) * np.array([w, h])
    coefficients = _perspective_coefficients(corners, moved)
    out = page.transform(page.size, Image.Transform.PERSPECTIVE, coefficients,
                         resample=Image.Resampling.BICUBIC, fillcolor=WHITE)
    return out, {"corners_px": [[round(float(v), 1) for v in c] for c in moved]}


def _blur(page: Image.Image, level: int, rng: np.random.Generator) -> tuple[Image.Image, dict[str, Any]]:
    radius = 1.0 if level == 1 else 2.0
    return page.filter(ImageFilter.GaussianBlur(radius)), {"radius_px": radius}


def _jpeg(page: Image.Image, level: int, rng: np.random.Generator) -> tuple[Image.Image, dict[str, Any]]:
    import io

    quality = 30 if level == 1 else 10
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB"), {"quality": quality}


def _light(page: Image.Image, level: int, rng: np.random.Generator) -> tuple[Image.Image, dict[str, Any]]:
    w, h = page.size
    darkest = 0.8 if level == 1 else 0.55
    angle = float(rng.uniform(0.0, 2.0 * np.pi))
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    along = (x / w - 0.5) * np.cos(angle) + (y / h - 0.5) * np.sin(angle)
    along = (along - along.min()) / (along.max() - along.min())
    field = 1.0 - (1.0 - darkest) * along
    if level == 2:
        r2 = ((x / w - 0.5) ** 2 + (y / h - 0.5) ** 2) / 0.5
        field *= 1.0 - 0.25 * r2
    cast = np.array([1.0, 0.97, 0.88])  # warm indoor light
    pixels = np.asarray(page, dtype=np.float64) * field[..., None] * cast
    out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return out, {"darkest": darkest, "direction_deg": round(float(np.degrees(angle)), 1), "vignette": level == 2}


def _grid(page: Image.Image, level: int, rng: np.random.Generator) -> tuple[Image.Image, dict[str, Any]]:
    """Recolour the grid: pixels redder than they are dark (the pink-red grid lines), not
    the black traces and text."""
    pixels = np.asarray(page, dtype=np.float64)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    redness = np.clip((r - (g + b) / 2.0) / 255.0, 0.0, 1.0)
    grid = redness > 0.03
    colour = np.array([150.0, 150.0, 150.0]) if level == 1 else np.array([60.0, 170.0, 90.0])
    strength = np.clip(redness / max(float(redness.max()), 1e-9), 0.0, 1.0)[..., None]
    out = pixels.copy()
    out[grid] = (255.0 * (1 - strength) + colour * strength)[grid]
    if level == 2:  # a different paper and pen: fainter traces
        dark = pixels.mean(axis=2) < 100
        out[dark] = 90.0
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), {"grid_rgb": colour.astype(int).tolist(), "faint_traces": level == 2}


HEADER_TEXT = ("Name: ********  ID: {id}  DOB: **/**/19**  Ward 4B   {date}  "
               "25 mm/s  10 mm/mV  0.05-150 Hz  ~50 Hz  CardioPrint 3000 v2.1")


def _header(page: Image.Image, level: int, rng: np.random.Generator) -> tuple[Image.Image, dict[str, Any]]:
    w, h = page.size
    patient = f"{int(rng.integers(100000, 999999))}"
    date = f"2024-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d} {int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}"
    text = HEADER_TEXT.format(id=patient, date=date)
    font = ImageFont.load_default()
    if level == 1:
        out = page.copy()
        draw = ImageDraw.Draw(out)
        draw.rectangle([0, 0, w, 22], fill=WHITE)
        draw.text((12, 5), text, fill=(20, 20, 20), font=font)
        return out, {"text": text, "scale": 1.0}
    scale = 0.88
    small = page.resize((int(w * scale), int(h * scale)), Image.Resampling.LANCZOS)
    out = Image.new("RGB", page.size, WHITE)
    top = int(h * 0.08)
    out.paste(small, ((w - small.width) // 2, top))
    draw = ImageDraw.Draw(out)
    draw.text((12, 8), text, fill=(20, 20, 20), font=font)
    draw.text((12, 26), "Referred by: ********   Location: ED   Order: " + patient[::-1], fill=(20, 20, 20), font=font)
    draw.line([0, top - 4, w, top - 4], fill=(40, 40, 40), width=2)
    draw.text((12, h - 18), "Page 1 of 1   Printed " + date, fill=(20, 20, 20), font=font)
    return out, {"text": text, "scale": scale}


DISTORTIONS: dict[str, Callable[[Image.Image, int, np.random.Generator], tuple[Image.Image, dict[str, Any]]]] = {
    "rotation": _rotation, "perspective": _perspective, "blur": _blur, "jpeg": _jpeg,
    "light": _light, "grid": _grid, "header": _header,
}


def distort(page: Image.Image, name: str, level: int, seed: int) -> tuple[Image.Image, dict[str, Any]]:
    """``page`` with distortion ``name`` at ``level`` (1 or 2); the same seed gives the same
    page. Returns the RGB page and the parameters drawn."""
    if name not in DISTORTIONS:
        raise ValueError(f"unknown distortion {name!r}; known: {', '.join(DISTORTIONS)}")
    if level not in LEVELS:
        raise ValueError(f"distortion level must be 1 or 2, got {level!r}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), level, sorted(DISTORTIONS).index(name)]))
    out, params = DISTORTIONS[name](page.convert("RGB"), level, rng)
    return out, {"distortion": name, "level": level, "seed": int(seed)} | params
