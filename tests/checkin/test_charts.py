"""Chart geometry (charts.py): the one layout behind the dashboard's trends and sparklines
and the student's history charts. Pure functions: no app, no request."""

from __future__ import annotations

import pytest

from lti_tool.checkin import charts


def _points(segment: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in segment.split())]


# ---------------------------------------------------------------- the dashboard's trends
def test_a_week_without_a_value_is_a_gap_never_a_point():
    c = charts.trend_chart(
        "c", "t", "d", ["1", "2", "3", "4"], [3.0, None, None, 4.0], [charts.VALUE, charts.TOO_FEW, charts.NONE, charts.VALUE]
    )
    assert [p.y is None for p in c.points] == [False, True, True, False]
    assert [p.status for p in c.points] == ["value", "too_few", "none", "value"]
    assert c.segments == ()  # no line across the gap


def test_a_line_never_joins_two_wordings():
    c = charts.trend_chart("c", "t", "d", list("1234"), [3.0, 3.5, 2.0, 2.5], [charts.VALUE] * 4, series=[1, 1, 2, 2])
    assert len(c.segments) == 2
    assert all(len(s.split()) == 2 for s in c.segments)


def test_values_map_onto_the_one_to_five_axis():
    c = charts.trend_chart("c", "t", "d", ["a", "b"], [1.0, 5.0], [charts.VALUE] * 2, height=200)
    low, high = c.points
    assert low.y == pytest.approx(c.bottom) and high.y == pytest.approx(c.top)
    assert [label for _y, label in c.y_ticks] == ["1", "2", "3", "4", "5"]


def test_labels_are_thinned_but_the_selected_week_keeps_its_label():
    labels = [str(w) for w in range(1, 41)]
    c = charts.trend_chart("c", "t", "d", labels, [3.0] * 40, [charts.VALUE] * 40, selected=20, max_labels=10)
    shown = [p for p in c.points if p.show_label]
    assert len(shown) <= 12
    assert c.points[20].show_label and c.points[20].selected and c.selected is c.points[20]
    xs = sorted(p.x for p in shown)
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= c.font_size * 1.5  # never overlapping


def test_mismatched_inputs_are_a_programming_error():
    with pytest.raises(ValueError):
        charts.trend_chart("c", "t", "d", ["1"], [1.0, 2.0], [charts.VALUE])


def test_a_sparkline_describes_every_week_for_screen_readers():
    s = charts.sparkline("s", [3.0, None, 2.0], lambda vs: ", ".join("-" if v is None else str(v) for v in vs))
    assert s.label == "3.0, -, 2.0"
    assert s.points[1][1] is None and s.segments == ()


# ---------------------------------------------------------------- geometry, for every use
def test_gaps_split_the_line_into_segments():
    c = charts.trend_chart("c", "t", "d", list("123456"), [2.0, 3.0, None, 4.0, 5.0, 1.0], [charts.VALUE] * 6)
    assert len(c.segments) == 2  # weeks 1-2, then 4-6; nothing drawn across week 3
    first, second = (_points(s) for s in c.segments)
    assert first == [(c.points[0].x, c.points[0].y), (c.points[1].x, c.points[1].y)]
    assert [x for x, _y in second] == [c.points[3].x, c.points[4].x, c.points[5].x]


def test_a_lone_week_between_gaps_is_a_point_without_a_line():
    c = charts.trend_chart("c", "t", "d", list("12345"), [3.0, None, 4.0, None, 2.0])
    assert c.segments == ()
    assert [p.y is not None for p in c.points] == [True, False, True, False, True]


def test_without_statuses_a_missing_value_is_no_answer_never_a_value():
    c = charts.trend_chart("c", "t", "d", ["1", "2"], [None, 3.0])
    assert [p.status for p in c.points] == [charts.NONE, charts.VALUE]
    assert c.points[0].y is None


def test_a_value_marked_missing_is_never_drawn():
    c = charts.trend_chart("c", "t", "d", ["1", "2"], [3.0, 4.0], [charts.TOO_FEW, charts.VALUE])
    assert c.points[0].y is None and c.points[0].status == charts.TOO_FEW
    assert c.segments == ()


@pytest.mark.parametrize("padding", [None, (10.0, 14.0, 26.0, 34.0)])
def test_the_scale_runs_from_one_at_the_bottom_to_five_at_the_top(padding):
    c = charts.trend_chart("c", "t", "d", list("12345"), [1.0, 2.0, 3.0, 4.0, 5.0], width=320, height=150, padding=padding)
    ys = [p.y for p in c.points]
    assert ys[0] == pytest.approx(c.bottom, abs=0.06) and ys[-1] == pytest.approx(c.top, abs=0.06)
    assert ys == sorted(ys, reverse=True)  # higher values are drawn higher (smaller y)
    assert ys[2] == pytest.approx((c.top + c.bottom) / 2, abs=0.06)  # 3 halfway
    assert c.points[0].x == pytest.approx(c.left) and c.points[-1].x == pytest.approx(c.right)
    assert 0 <= c.left < c.right <= c.width and 0 <= c.top < c.bottom <= c.height


def test_padding_sets_the_room_around_the_plot():
    c = charts.trend_chart("c", "t", "d", ["1", "2"], [3.0, 3.0], width=320, height=110, padding=(10, 14, 26, 34))
    assert (c.top, c.right, c.bottom, c.left) == (10.0, 306.0, 84.0, 34.0)
    assert (c.width, c.height) == (320, 110)


def test_the_room_around_the_plot_follows_the_font_size_by_default():
    small = charts.trend_chart("c", "t", "d", ["1", "2"], [3.0, 3.0], font_size=11)
    large = charts.trend_chart("c", "t", "d", ["1", "2"], [3.0, 3.0], font_size=13)
    assert large.left > small.left and large.bottom < small.bottom
    both = charts.trend_chart("c", "t", "d", ["1", "2"], [3.0, 3.0], font_size=13, scale_both_sides=True)
    assert both.width - both.right == pytest.approx(both.left)  # room for the scale on the right too


def test_tick_labels_sit_at_their_values():
    c = charts.trend_chart("c", "t", "d", ["1", "2"], [1.0, 5.0])
    assert [label for _y, label in c.y_ticks] == ["1", "2", "3", "4", "5"]
    assert c.y_ticks[0][0] == c.points[0].y and c.y_ticks[-1][0] == c.points[1].y
    few = charts.trend_chart("c", "t", "d", ["1", "2"], [3.0, 3.0], ticks=(1, 3, 5))
    assert [label for _y, label in few.y_ticks] == ["1", "3", "5"]
    assert few.y_ticks[1][0] == few.points[0].y  # the 3 gridline runs through a 3


def test_a_one_week_series_is_one_centred_point():
    c = charts.trend_chart("c", "t", "d", ["47"], [4.0])
    (p,) = c.points
    assert p.x == pytest.approx((c.left + c.right) / 2, abs=0.06)  # positions are rounded to 0.1
    assert p.y is not None and p.label == "47" and p.show_label
    assert c.segments == ()


def test_an_empty_series_has_an_axis_and_nothing_on_it():
    c = charts.trend_chart("c", "t", "d", [], [], [])
    assert c.points == () and c.segments == () and c.selected is None
    assert len(c.y_ticks) == 5 and c.left < c.right and c.top < c.bottom
    s = charts.sparkline("s", [], lambda vs: "nothing")
    assert s.points == () and s.segments == () and s.label == "nothing"


def test_every_label_is_shown_when_there_is_room():
    c = charts.trend_chart("c", "t", "d", [str(w) for w in range(38, 48)], [3.0] * 10, width=320, font_size=11)
    assert all(p.show_label for p in c.points)


def test_labels_are_thinned_for_the_largest_size_a_stylesheet_may_draw_them():
    labels = [str(w) for w in range(36, 48)]  # 12 weeks, 26 units apart: room for 11, not for 17
    at_11 = charts.trend_chart("c", "t", "d", labels, [3.0] * 12, width=320, font_size=11, max_labels=20)
    at_17 = charts.trend_chart("c", "t", "d", labels, [3.0] * 12, width=320, font_size=11, max_labels=20, label_size=17)
    assert all(p.show_label for p in at_11.points)
    assert sum(p.show_label for p in at_17.points) < sum(p.show_label for p in at_11.points)
    xs = [p.x for p in at_17.points if p.show_label]
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 17 * 1.5
    assert at_17.points[-1].show_label  # the newest week keeps its label


def test_a_sparkline_joins_only_neighbouring_values_of_one_wording():
    s = charts.sparkline("s", [3.0, 4.0, None, 2.0, 5.0, 1.0], str, series=[1, 1, 1, 1, 2, 2], height=28)
    assert len(s.segments) == 2 and [len(seg.split()) for seg in s.segments] == [2, 2]
    ys = [y for _x, y in s.points if y is not None]
    assert min(ys) >= 0 and max(ys) <= s.height
    assert s.points[-1][1] > s.points[-2][1]  # 1 below 5


def test_a_sparkline_is_drawn_as_svg_with_its_id_and_label_escaped():
    s = charts.sparkline('s-<1>&"', [3.0, None, 2.0, 4.0], lambda vs: 'Index & <b>"low"</b>', series=[1, 1, 1, 2])
    assert str(charts.spark_svg(s)) == (
        '<svg class="spark" viewBox="0 0 96 28" width="96" height="28" role="img" aria-labelledby="s-&lt;1&gt;&amp;&#34;-title" focusable="false">\n'
        '  <title id="s-&lt;1&gt;&amp;&#34;-title">Index &amp; &lt;b&gt;&#34;low&#34;&lt;/b&gt;</title>\n'
        '  <line x1="0" x2="96" y1="14.0" y2="14.0" stroke="#e3e7ee" stroke-width="1"/>'
        f'{"".join(_circles(s))}\n</svg>'
    )
    assert s.segments == ()  # 3.0 and 2.0 are not neighbours; 2.0 and 4.0 are two wordings


def _circles(s):
    last = len(s.points) - 1
    return [f'<circle cx="{x}" cy="{y}" r="{2.6 if i == last else 1.8}" fill="#2f5d50"/>' for i, (x, y) in enumerate(s.points) if y is not None]


def test_a_trend_chart_is_drawn_as_svg_with_a_band_for_too_few_answers_and_no_point_for_it():
    c = charts.trend_chart(
        "t&1", "Index <per week>", 'Went "up"', ["1", "2", "3"], [3.0, None, 4.5], [charts.VALUE, charts.TOO_FEW, charts.VALUE],
        selected=2, width=320, height=150, font_size=11, max_labels=8,
    )
    svg = str(charts.trend_svg(c))
    assert svg.startswith(
        '<svg class="dash-chart" viewBox="0 0 320 150" role="img" aria-labelledby="t&amp;1-title t&amp;1-desc" focusable="false" '
        'preserveAspectRatio="xMidYMid meet">\n  <title id="t&amp;1-title">Index &lt;per week&gt;</title>\n'
        '  <desc id="t&amp;1-desc">Went &#34;up&#34;</desc>\n'
        '  <rect x="296.1" y="5.9" width="28.0" height="125.0" fill="#e5efe9" rx="3"/>\n'
        '  <rect x="160.2" y="9.9" width="14.0" height="117.0" fill="#eef0f4" stroke="#aab3c2" stroke-width="1" stroke-dasharray="3 3"/>\n'
    )
    assert svg.endswith(
        '  <circle cx="24.2" cy="68.4" r="3" fill="#2f5d50" stroke="#2f5d50" stroke-width="1"/>\n'
        '  <text x="24.2" y="143.4" text-anchor="middle" font-size="11" font-weight="400" fill="#566070">1</text>\n'
        '  <text x="167.2" y="143.4" text-anchor="middle" font-size="11" font-weight="400" fill="#566070">2</text>\n'
        '  <circle cx="310.1" cy="24.5" r="4.5" fill="#ffffff" stroke="#2f5d50" stroke-width="2.5"/>\n'
        '  <text x="310.1" y="143.4" text-anchor="middle" font-size="11" font-weight="700" fill="#1d2433">3</text>\n</svg>'
    )
    assert svg.count("<circle") == 2 and svg.count("<line") == 5 and "<polyline" not in svg
