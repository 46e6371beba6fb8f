"""Server-side SVG charts of the check-in, as pure geometry: the one place that lays out a chart.

Erbij draws its charts itself (no script, nothing from other hosts). These functions only
compute positions and texts; the templates turn them into SVG with presentation attributes
(the Content-Security-Policy forbids ``style=""``): ``templates/checkin/_dash_chart.html``
for the teacher dashboard (trends, sparklines), ``templates/checkin/_chart.html`` for the
student's own history.

Rules every chart keeps:
- a week without a value is a gap, never a point at the bottom: "no answers" and "too few
  answers to show" are different states and both are drawn as no value;
- a line joins two neighbouring weeks only when both have a value of the same series key
  (the item versions), so a changed wording never looks like a change in the class;
- every chart has a title and a one-sentence description; the page adds a data table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from .items import SCALE_MAX, SCALE_MIN

VALUE = "value"
TOO_FEW = "too_few"
NONE = "none"


@dataclass(frozen=True)
class ChartPoint:
    """One week of a chart, in viewBox units."""

    x: float
    y: float | None  # None: nothing to draw this week
    label: str  # the week number under the axis
    status: str  # VALUE, TOO_FEW or NONE
    selected: bool = False
    show_label: bool = True


@dataclass(frozen=True)
class TrendChart:
    """A line chart on the 1-5 scale, one point per week, in viewBox units."""

    id: str
    title: str
    description: str
    width: int
    height: int
    top: float
    bottom: float
    left: float
    right: float
    step: float
    points: tuple[ChartPoint, ...]
    segments: tuple[str, ...]  # polyline "x,y x,y" runs
    y_ticks: tuple[tuple[float, str], ...]
    font_size: int
    lower_is_better: bool = False
    scale_both_sides: bool = False  # the 1-5 labels on the right too, for a chart that scrolls

    @property
    def selected(self) -> ChartPoint | None:
        return next((p for p in self.points if p.selected), None)

    @property
    def band_width(self) -> float:
        """Width of the highlight behind the selected week and of a "too few" mark."""
        return max(min(self.step * 0.8, 28.0), 6.0)


@dataclass(frozen=True)
class Sparkline:
    """A tiny line of a student's last weeks; the label carries every value for screen readers."""

    id: str
    label: str
    width: int
    height: int
    points: tuple[tuple[float, float | None], ...]
    segments: tuple[str, ...]


def _y(value: float, top: float, bottom: float) -> float:
    """The height of a value on the 1-5 scale: SCALE_MIN at ``bottom``, SCALE_MAX at ``top``."""
    return round(bottom - (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * (bottom - top), 1)


def _segments(points: Sequence[tuple[float, float | None]], keys: Sequence[object]) -> tuple[str, ...]:
    """Polyline runs over neighbouring points that both have a value and the same key."""
    runs: list[str] = []
    run: list[tuple[float, float]] = []
    previous: object = object()
    for (x, y), key in zip(points, keys, strict=True):
        if y is None or (run and key != previous):
            if len(run) > 1:
                runs.append(" ".join(f"{px},{py}" for px, py in run))
            run = []
        if y is not None:
            run.append((x, y))
        previous = key
    if len(run) > 1:
        runs.append(" ".join(f"{px},{py}" for px, py in run))
    return tuple(runs)


def label_every(n: int, room: int) -> int:
    """Show every k-th week label so that at most ``room`` labels fit under the axis."""
    return max(1, math.ceil(n / max(room, 1)))


def trend_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    statuses: Sequence[str] | None = None,
    *,
    series: Sequence[object] | None = None,
    selected: int | None = None,
    width: int = 560,
    height: int = 220,
    font_size: int = 13,
    max_labels: int = 14,
    lower_is_better: bool = False,
    scale_both_sides: bool = False,
    padding: tuple[float, float, float, float] | None = None,
    ticks: Sequence[int] = tuple(range(SCALE_MIN, SCALE_MAX + 1)),
    label_size: float | None = None,
) -> TrendChart:
    """Lay out one value per week on a 1-5 axis.

    ``labels`` are the texts under the axis (week numbers), ``statuses`` say per week
    whether there is a value, too few answers to show one, or no answers at all.
    ``series`` holds a key per week (the item versions); a line never crosses a change of
    key. ``selected`` is the index of the week the page is about: it gets a highlight and
    always keeps its label; other labels are thinned out so they never overlap.
    ``scale_both_sides`` repeats the 1-5 labels on the right, for a chart that a phone
    shows scrolled to its newest weeks.

    Options for other uses of the same chart:
    ``statuses`` may be left out: a week with a value is VALUE, a week without one NONE.
    ``padding`` (top, right, bottom, left) sets the room around the plot for the labels
    instead of deriving it from ``font_size``. ``ticks`` are the scale values with a
    gridline and a label. ``label_size`` is the largest size the labels may be drawn at
    when a stylesheet enlarges them (on a phone); week labels are thinned for that size.
    """
    n = len(labels)
    if statuses is None:
        statuses = [NONE if v is None else VALUE for v in values]
    if not (len(values) == len(statuses) == n):
        raise ValueError("labels, values and statuses must have the same length")
    if padding is None:
        padding = (font_size * 0.9, font_size * (2.2 if scale_both_sides else 0.9), font_size * 2.1, font_size * 2.2)
    pad_top, pad_right, pad_bottom, pad_left = (float(p) for p in padding)
    left, right = pad_left, width - pad_right
    top, bottom = pad_top, height - pad_bottom
    step = (right - left) / max(n - 1, 1)
    # A label is about two digits wide; keep labels at least that far apart.
    min_gap = max(1, math.ceil((label_size or font_size) * 1.6 / step)) if n > 1 else 1
    every = max(label_every(n, max_labels), min_gap)
    keys = list(series) if series is not None else [None] * n
    # Count from the newest week, which is most often the one the page is about.
    shown = {i for i in range(n) if (n - 1 - i) % every == 0}
    if selected is not None and 0 <= selected < n:
        shown = {i for i in shown if abs(i - selected) >= min_gap} | {selected}

    points = []
    for i, (label, value, status) in enumerate(zip(labels, values, statuses, strict=True)):
        x = round(left + i * step if n > 1 else (left + right) / 2, 1)
        points.append(
            ChartPoint(
                x=x,
                y=_y(value, top, bottom) if status == VALUE and value is not None else None,
                label=label,
                status=status if value is not None or status != VALUE else NONE,
                selected=i == selected,
                show_label=i in shown,
            )
        )
    return TrendChart(
        id=chart_id,
        title=title,
        description=description,
        width=width,
        height=height,
        top=top,
        bottom=bottom,
        left=left,
        right=right,
        step=step,
        points=tuple(points),
        segments=_segments([(p.x, p.y) for p in points], keys),
        y_ticks=tuple((_y(v, top, bottom), str(v)) for v in ticks),
        font_size=font_size,
        lower_is_better=lower_is_better,
        scale_both_sides=scale_both_sides,
    )


def sparkline(
    chart_id: str,
    values: Sequence[float | None],
    describe: Callable[[Sequence[float | None]], str],
    *,
    series: Sequence[object] | None = None,
    width: int = 96,
    height: int = 28,
) -> Sparkline:
    """A student's last weeks as a tiny line (1-5); ``describe`` writes the accessible label."""
    n = len(values)
    pad = 3.0
    step = (width - 2 * pad) / max(n - 1, 1)
    pts = tuple((round(pad + i * step, 1), _y(v, pad, height - pad) if v is not None else None) for i, v in enumerate(values))
    keys = list(series) if series is not None else [None] * n
    return Sparkline(chart_id, describe(values), width, height, pts, _segments(pts, keys))


def spark_svg(s: Sparkline) -> Markup:
    """The sparkline as SVG markup, written here rather than in a template: a page of 300
    students draws hundreds, and a template macro escapes each of their numbers one call
    at a time. Presentation attributes only (the Content-Security-Policy forbids style="");
    the id and the label are escaped."""
    ident, half = escape(s.id), s.height / 2
    parts = [
        f'<svg class="spark" viewBox="0 0 {s.width} {s.height}" width="{s.width}" height="{s.height}" role="img" '
        f'aria-labelledby="{ident}-title" focusable="false">\n'
        f'  <title id="{ident}-title">{escape(s.label)}</title>\n'
        f'  <line x1="0" x2="{s.width}" y1="{half}" y2="{half}" stroke="#e3e7ee" stroke-width="1"/>'
    ]
    parts.extend(
        f'\n  <polyline points="{escape(seg)}" fill="none" stroke="#2f5d50" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"/>'
        for seg in s.segments
    )
    last = len(s.points) - 1
    parts.extend(
        f'<circle cx="{x}" cy="{y}" r="{2.6 if i == last else 1.8}" fill="#2f5d50"/>' for i, (x, y) in enumerate(s.points) if y is not None
    )
    parts.append("\n</svg>")
    return Markup("".join(parts))  # noqa: S704  (every string in it is escaped above; the rest are numbers)


def trend_svg(c: TrendChart) -> Markup:
    """A trend chart as SVG markup, written here for the same reason as ``spark_svg`` (eight
    charts of up to 52 weeks a page). A week without a value is never drawn as a point: a
    grey band marks "too few answers", nothing marks "no answers"; the data table and the
    sentence say the same in words. The id, title, description and labels are escaped."""
    ident, big = escape(c.id), c.width > 400
    parts = [
        f'<svg class="dash-chart" viewBox="0 0 {c.width} {c.height}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        'focusable="false" preserveAspectRatio="xMidYMid meet">\n'
        f'  <title id="{ident}-title">{escape(c.title)}</title>\n'
        f'  <desc id="{ident}-desc">{escape(c.description)}</desc>'
    ]
    sel = c.selected
    if sel:
        parts.append(
            f'\n  <rect x="{round(sel.x - c.band_width / 2, 1)}" y="{c.top - 4}" width="{round(c.band_width, 1)}" '
            f'height="{c.bottom - c.top + 8}" fill="#e5efe9" rx="3"/>'
        )
    for p in c.points:
        if p.status == TOO_FEW:
            parts.append(
                f'\n  <rect x="{round(p.x - c.band_width / 4, 1)}" y="{c.top}" width="{round(c.band_width / 2, 1)}" '
                f'height="{c.bottom - c.top}" fill="#eef0f4" stroke="#aab3c2" stroke-width="1" stroke-dasharray="3 3"/>'
            )
    for y, label in c.y_ticks:
        text_y, label = y + c.font_size * 0.35, escape(label)
        parts.append(
            f'\n  <line x1="{c.left}" x2="{c.right}" y1="{y}" y2="{y}" stroke="#d5dae3" stroke-width="1"/>'
            f'\n  <text x="{c.left - 6}" y="{text_y}" text-anchor="end" font-size="{c.font_size}" fill="#566070">{label}</text>'
        )
        if c.scale_both_sides:
            parts.append(
                f'\n  <text class="scale-right" x="{c.right + 6}" y="{text_y}" text-anchor="start" font-size="{c.font_size}" '
                f'fill="#566070" aria-hidden="true">{label}</text>'
            )
    line_width = 2.5 if big else 2
    parts.extend(
        f'\n  <polyline points="{escape(s)}" fill="none" stroke="#2f5d50" stroke-width="{line_width}" stroke-linejoin="round" stroke-linecap="round"/>'
        for s in c.segments
    )
    label_y = c.height - c.font_size * 0.6
    for p in c.points:
        if p.y is not None:
            r = (5.5 if p.selected else 3.5) if big else (4.5 if p.selected else 3)
            parts.append(
                f'\n  <circle cx="{p.x}" cy="{p.y}" r="{r}" fill="{"#ffffff" if p.selected else "#2f5d50"}" stroke="#2f5d50" '
                f'stroke-width="{2.5 if p.selected else 1}"/>'
            )
        if p.show_label:
            parts.append(
                f'\n  <text x="{p.x}" y="{label_y}" text-anchor="middle" font-size="{c.font_size}" font-weight="{700 if p.selected else 400}" '
                f'fill="{"#1d2433" if p.selected else "#566070"}">{escape(p.label)}</text>'
            )
    parts.append("\n</svg>")
    return Markup("".join(parts))  # noqa: S704  (every string in it is escaped above; the rest are numbers)
