"""Server-rendered SVG charts of the dashboard: readable without JavaScript, printable, accessible.

Each chart is an image (role="img") named by its <title> and described by its <desc> in words that
carry every figure; the page shows the same figures in a table beside it.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

WIDTH = 460
ROW = 26
LABEL = 190
VALUE = 70
TOP = 6
BAR_MAX = WIDTH - LABEL - VALUE
LABEL_CHARS = 26


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, int]]) -> dict:
    """Horizontal bars, one per (label, value); geometry for templates/reports/bar_chart.svg."""
    largest = max((value for _label, value in rows), default=0)
    bars = []
    for index, (label, value) in enumerate(rows):
        y = TOP + index * ROW
        width = round(BAR_MAX * value / largest, 1) if largest else 0
        bars.append(
            {
                "label": _short(str(label)),
                "value": value,
                "bar_y": y + 3,
                "text_y": y + ROW / 2 + 5,
                "width": width,
                "value_x": LABEL + width + 6,
            }
        )
    description = "; ".join(f"{label}: {value}" for label, value in rows) or _("No figures yet.")
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": WIDTH,
        "height": TOP * 2 + ROW * max(len(rows), 1),
        "label_x": LABEL - 8,
        "bar_x": LABEL,
        "bar_height": ROW - 6,
        "bars": bars,
    }


LINE_WIDTH = 460
LINE_HEIGHT = 220
LEFT, RIGHT, UPPER, LOWER = 56, 16, 12, 36


def line_chart(chart_id: str, title: str, points: list[tuple], *, unit: str) -> dict:
    """A line through (day, value) points, days evenly spaced; geometry for templates/reports/line_chart.svg."""
    largest = max((value for _day, value in points), default=0)
    plot_w = LINE_WIDTH - LEFT - RIGHT
    plot_h = LINE_HEIGHT - UPPER - LOWER
    step = plot_w / (len(points) - 1) if len(points) > 1 else 0
    coords = []
    for index, (_day, value) in enumerate(points):
        x = LEFT + (index * step if len(points) > 1 else plot_w / 2)
        y = UPPER + plot_h - (plot_h * value / largest if largest else 0)
        coords.append((round(x, 1), round(y, 1)))
    if points:
        first, last = points[0], points[-1]
        description = _("From %(first_day)s (%(first)s) to %(last_day)s (%(last)s) %(unit)s.") % {
            "first_day": date_format(first[0], "DATE_FORMAT"),
            "first": first[1],
            "last_day": date_format(last[0], "DATE_FORMAT"),
            "last": last[1],
            "unit": unit,
        }
    else:
        description = _("No figures yet.")
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": LINE_WIDTH,
        "height": LINE_HEIGHT,
        "points": " ".join(f"{x},{y}" for x, y in coords),
        "dots": [{"x": x, "y": y} for x, y in coords] if len(coords) <= 60 else [],
        "axis_left": LEFT,
        "axis_right": LINE_WIDTH - RIGHT,
        "axis_top": UPPER,
        "axis_bottom": UPPER + plot_h,
        "max_label": largest,
        "max_label_y": UPPER + 4,
        "first_label": date_format(points[0][0], "SHORT_DATE_FORMAT") if points else "",
        "last_label": date_format(points[-1][0], "SHORT_DATE_FORMAT") if points else "",
        "date_label_y": UPPER + plot_h + 20,
    }
