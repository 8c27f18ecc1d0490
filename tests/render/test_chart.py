"""The recap chart is a real, readable PNG of the week's points."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.render.chart import HEIGHT, WIDTH, points_per_day_png

BAR = (18, 100, 163)


def bar_height(image: Image.Image, day: int) -> int:
    """Pixels of bar colour in the middle column of a weekday's slot."""
    x = round(28 + (WIDTH - 56) / 7 * (day + 0.5))
    return sum(1 for y in range(HEIGHT) if image.getpixel((x, y)) == BAR)


def test_the_chart_is_a_png_with_bars_in_proportion_to_the_points() -> None:
    data = points_per_day_png("Points per day, 2–8 March 2026", [20, 0, 40, 10, 0, 0, 5], [2] * 7)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT)
    image = image.convert("RGB")
    heights = [bar_height(image, day) for day in range(7)]
    assert heights[1] == heights[4] == heights[5] == 0
    assert heights[2] > heights[0] > heights[3] > heights[6] > 0
    assert abs(heights[2] - 2 * heights[0]) <= 2


def test_a_week_of_zeros_still_draws_and_bad_input_is_refused() -> None:
    image = Image.open(io.BytesIO(points_per_day_png("Quiet", [0] * 7, [0] * 7))).convert("RGB")
    assert all(bar_height(image, day) == 0 for day in range(7))
    with pytest.raises(ValueError, match="weekday"):
        points_per_day_png("Short", [1, 2, 3], [1, 1, 1])
