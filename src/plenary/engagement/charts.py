"""Server-rendered SVG bar charts of 1–5 ratings: readable without JavaScript, printable, accessible.

Each chart is an image with a title and a text description (role="img"); the page also shows
the same figures as a table.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from plenary.engagement.selectors import QuestionResult

WIDTH = 420
ROW = 30
LABEL = 70
COUNT = 80
TOP = 8
BAR_MAX = WIDTH - LABEL - COUNT


def rating_chart(result: QuestionResult, chart_id: str) -> dict:
    """Geometry and texts for templates/engagement/rating_chart.svg."""
    largest = max(result.counts.values(), default=0)
    bars = []
    for index, (rating, count, share) in enumerate(result.distribution):
        y = TOP + index * ROW
        width = round(BAR_MAX * count / largest, 1) if largest else 0
        bars.append(
            {
                "rating": rating,
                "count": count,
                "share": round(share),
                "y": y,
                "bar_y": y + 4,
                "text_y": y + ROW / 2 + 5,
                "width": width,
                "count_x": LABEL + width + 6,
            }
        )
    parts = [
        _("%(rating)s: %(count)s (%(share)s%%)")
        % {"rating": b["rating"], "count": b["count"], "share": b["share"]}
        for b in bars
    ]
    if result.average is not None:
        summary = _("%(answered)s answers, average %(average)s out of 5.") % {
            "answered": result.answered,
            "average": f"{result.average:.2f}",
        }
    else:
        summary = _("No answers yet.")
    return {
        "id": chart_id,
        "width": WIDTH,
        "height": TOP * 2 + ROW * 5,
        "label_x": LABEL - 10,
        "bar_x": LABEL,
        "bar_height": ROW - 8,
        "bars": bars,
        "title": result.question.text,
        "description": f"{summary} " + "; ".join(parts),
    }
