"""The pure helpers: score payloads and LMS quirks, highlights, scores, placeholders, parts."""

from __future__ import annotations

import pytest

from lti_tool.feedback import publishing
from lti_tool.feedback.bank import fill_placeholders
from lti_tool.feedback.coaching import Segment, segments
from lti_tool.feedback.deep_link import to_html
from lti_tool.feedback.guide import assemble, clean_parts


def test_payload_with_score_and_comment():
    p = publishing.score_payload(text=" Goed.\r\nVerder. ", score=7.5, maximum=10, include_comment=True)
    assert p == {
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "scoreGiven": 7.5,
        "scoreMaximum": 10,
        "comment": "Goed.\nVerder.",
    }


def test_payload_without_score_has_no_score_fields():
    p = publishing.score_payload(text="Tekst", score=None, maximum=10, include_comment=True)
    assert "scoreGiven" not in p and "scoreMaximum" not in p and p["comment"] == "Tekst"


def test_payload_score_needs_maximum():
    with pytest.raises(ValueError):
        publishing.score_payload(text="", score=5, maximum=None, include_comment=False)


@pytest.mark.parametrize(
    ("platform", "text", "delivered", "expected"),
    [
        ("moodle", "A", "A", True),  # Moodle erases feedback on a POST without comment
        (None, "A", "A", True),  # unknown platform: safest to always send
        ("brightspace", "A", None, True),
        ("canvas", "A", None, True),
        ("canvas", "A", "A", False),  # Canvas would add the same comment again
        ("canvas", "A ", "A", False),
        ("Canvas", "B", "A", True),
        ("canvas", "", None, False),
        ("moodle", "  ", None, False),
    ],
)
def test_should_send_comment(platform, text, delivered, expected):
    assert publishing.should_send_comment(platform, text, delivered) is expected


def test_dedupe_key():
    assert publishing.dedupe_key(12, 3) == "feedback:12:3"


def test_segments_split_overlaps_and_clip():
    text = "abcdefghij"
    segs = segments(text, [(2, 6, "R2"), (4, 8, "R10"), (9, 99, "R1"), (5, 5, "R3")])
    assert segs == (
        Segment("ab", ()),
        Segment("cd", ("R2",)),
        Segment("ef", ("R2", "R10")),
        Segment("gh", ("R10",)),
        Segment("i", ()),
        Segment("j", ("R1",)),
    )
    assert "".join(s.text for s in segs) == text
    assert segments("", []) == ()


def test_placeholders_filled_and_unknown_left_alone():
    values = {"first_name": "Anna", "name": "Anna de Vries", "course": "Nederlands 2"}
    assert fill_placeholders("{first_name}/{voornaam}, {name} ({naam}) in {course}/{vak} {onbekend}", values) == (
        "Anna/Anna, Anna de Vries (Anna de Vries) in Nederlands 2/Nederlands 2 {onbekend}"
    )
    assert fill_placeholders("Hoi {first_name}", {"first_name": ""}) == "Hoi {first_name}"


def test_assemble_groups_parts_into_paragraphs():
    parts = clean_parts(
        {"opener": " Het lijkt erop. ", "standard": "Hoge lat.", "next_steps": "1. A\n2. B", "belief": "Jij kunt dit.", "other": "x"}
    )
    assert "other" not in parts
    assert assemble(parts) == "Het lijkt erop. Hoge lat.\n\n1. A\n2. B\n\nJij kunt dit."
    assert assemble({}) == ""


def test_to_html_escapes_into_paragraphs():
    assert to_html("a <b>\nc\n\n\nd & e") == "<p>a &lt;b&gt;<br>c</p>\n<p>d &amp; e</p>"


@pytest.mark.parametrize(
    ("raw", "maximum", "value", "error"),
    [
        ("7,5", 10, 7.5, None),
        ("7.5", 10, 7.5, None),
        (" 10 ", 10, 10.0, None),
        ("", 10, None, None),
        ("10,01", 10, None, "at most"),
        ("-0,5", 10, None, "negative"),
        ("zeven", 10, None, "number"),
        ("1e3", None, None, "number"),
        ("nan", None, None, "number"),
        ("7,125", 10, None, "two decimals"),
        ("7,50", 10, 7.5, None),
        ("500", None, 500.0, None),
    ],
)
def test_parse_score(app, raw, maximum, value, error):
    from lti_tool.feedback.forms import parse_score

    with app.test_request_context(headers={"Accept-Language": "en"}):
        got, message = parse_score(raw, maximum)
    assert got == value
    assert (message is None) == (error is None)
    if error:
        assert error in message


def test_coach_stays_quiet_on_an_empty_draft(app):
    from lti_tool.feedback.coaching import review

    with app.test_request_context(headers={"Accept-Language": "en"}):
        view = review("  \n ", "en")
        assert view.findings == () and view.segments == () and view.empty
        assert view.to_dict()["summary"] == "Start writing: the coach reads along."
        assert review("Why didn't you do it?", "en").findings
