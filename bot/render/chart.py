"""The weekly recap's chart: points per day of the week as a small PNG, drawn with Pillow.

Pure computation (data in, bytes out). Pillow's bundled default font is used, so the chart looks
the same on every machine without system fonts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from bot.domain.schedule import DAY_ABBREVIATIONS

WIDTH, HEIGHT = 600, 300

_BACKGROUND = (255, 255, 255)
_INK = (29, 28, 29)  # Slack's text colour
_MUTED = (97, 96, 97)
_GRID = (221, 221, 221)
_BAR = (18, 100, 163)  # Slack's link blue: reads well on light and dark previews
_MARGIN_LEFT, _MARGIN_RIGHT, _TOP, _BOTTOM = 28, 28, 56, 44


def points_per_day_png(title: str, points: Sequence[int], answers: Sequence[int]) -> bytes:
    """A 600x300 bar chart of points per weekday (Monday first), each bar labelled."""
    if len(points) != 7 or len(answers) != 7:
        raise ValueError("points and answers need one value per weekday")
    image = Image.new("RGB", (WIDTH, HEIGHT), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.load_default(size=18)
    font = ImageFont.load_default(size=13)
    draw.text((_MARGIN_LEFT, 18), title, fill=_INK, font=title_font)

    baseline = HEIGHT - _BOTTOM
    plot_height = baseline - _TOP - 18  # room for the value above the tallest bar
    slot = (WIDTH - _MARGIN_LEFT - _MARGIN_RIGHT) / 7
    bar_width = slot * 0.6
    top = max(max(points), 1)
    draw.line((_MARGIN_LEFT, baseline, WIDTH - _MARGIN_RIGHT, baseline), fill=_GRID, width=2)
    for day, (value, count) in enumerate(zip(points, answers, strict=True)):
        centre = _MARGIN_LEFT + slot * (day + 0.5)
        height = round(plot_height * value / top)
        if height:
            draw.rectangle(
                (centre - bar_width / 2, baseline - height, centre + bar_width / 2, baseline),
                fill=_BAR,
            )
        draw.text((centre, baseline - height - 4), str(value), fill=_INK, font=font, anchor="md")
        draw.text((centre, baseline + 6), DAY_ABBREVIATIONS[day], fill=_INK, font=font, anchor="ma")
        noun = "answer" if count == 1 else "answers"
        draw.text((centre, baseline + 24), f"{count} {noun}", fill=_MUTED, font=font, anchor="ma")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
