"""CSV and JSON export of the dashboard: exactly what the teacher may see, nothing more.

Both formats are written from the same ``Dashboard`` the page renders
(``dashboard_page.build_dashboard``), so the export cannot show a name, a value or an
open answer the page hides. They cover every week of the course period; the signals are
those of the week the teacher was looking at.

The CSV follows the teacher's language so that it opens in Excel as columns: Dutch uses a
semicolon and a decimal comma, English a comma and a decimal point. JSON is for machines
and always uses plain numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from ..models import Course
from ..timeutil import utcnow
from . import items, privacy
from .charts import VALUE
from .dashboard_data import INDEX, MEASURES, Dashboard, Measure, WeekView
from .releases import PENDING
from .signals import INDEX_ITEMS

CSV_COLUMNS: tuple[str, ...] = (
    "record",
    "week_start",
    "iso_week",
    "student",
    "respondents",
    "roster_size",
    "index",
    *items.SCALE_ITEMS,
    "item_versions",
    "contact_request",
    "open_answer",
    "signals",
    "note",
)

# A cell starting with one of these is a formula to Excel and LibreOffice. Open answers
# are written by students, so they must never run as one on the teacher's computer.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _round(value: float | None) -> float | None:
    """The page's precision: one decimal, never more (finer values help differencing)."""
    return None if value is None else round(value, 1)


def _share(value: float | None) -> float | None:
    """A share as the page shows it: a whole percent."""
    return None if value is None else round(value, 2)


def _measure_json(m: Measure) -> dict[str, Any]:
    version: Any = m.version
    if m.key == INDEX and isinstance(version, tuple):
        version = dict(zip(INDEX_ITEMS, version, strict=True))
    return {"status": m.status, "value": _round(m.value), "respondents": m.respondents, "version": version}


def _week_json(w: WeekView) -> dict[str, Any]:
    return {
        "week_start": w.week.start.isoformat(),
        "iso_year": w.week.iso_year,
        "iso_week": w.week.iso_week,
        "respondents": w.respondents,
        "roster_respondents": w.roster_respondents,
        "roster_size": w.roster_size,
        "group_values_shown": w.visible,
        "index": _measure_json(w.measures[INDEX]),
        "items": {k: _measure_json(w.measures[k]) for k in items.SCALE_ITEMS},
        "share_dont_dare": _share(w.share_dont_dare),
        "share_no_start": _share(w.share_no_start),
        "contact_requests": [p.name for p in w.contacts],
        "responses": [
            {
                "student": n.person.name,
                "answers": {k: n.answers.get(k) for k in items.SCALE_ITEMS},
                "item_versions": dict(n.item_versions),
                "index": _round(n.index),
                "contact_request": n.contact_opt_in,
                "open_answer": n.open_answer,
            }
            for n in w.named
        ],
        "open_answers": [{"text": a.text, "student": a.name} for a in w.open_answers],
        "open_answers_hidden": w.hidden_open_answers,
    }


def as_dict(dash: Dashboard, course: Course) -> dict[str, Any]:
    """The export as plain data (what the JSON file holds)."""
    lang = dash.lang
    return {
        "course": {"title": course.display_title, "label": course.label},
        "generated_at": utcnow().replace(microsecond=0).isoformat() + "Z",
        "privacy_mode": dash.mode,
        "thresholds": {
            "min_item_respondents": privacy.MIN_ITEM_RESPONDENTS,
            "min_open_text_respondents": privacy.MIN_OPEN_TEXT_RESPONDENTS,
        },
        "scale": {"min": items.SCALE_MIN, "max": items.SCALE_MAX, "labels": items.scale_labels(lang)},
        "items": {
            k: {
                "name": items.construct_name(k, lang),
                "statement": items.get_item(k).text[lang],
                "current_version": items.CURRENT_VERSIONS[k],
                "lower_is_better": items.ITEMS[k].reverse,
            }
            for k in items.SCALE_ITEMS
        },
        "index": {"name": items.construct_name(INDEX, lang), "formula": "mean(B1, B2, S1, 6 - P1)"},
        "selected_week": dash.selected.week.start.isoformat(),
        "weeks": [_week_json(w) for w in dash.weeks],
        "signals": {
            "week_start": dash.selected.week.start.isoformat(),
            "class": [{"code": c, "reason": dash.class_reasons[c]} for c in dash.class_codes],
            "students": [
                {
                    "student": c.person.name,
                    "group": c.group,
                    "contact_request": c.opted_in,
                    "signals": [{"code": code, "reason": reason} for code, reason in zip(c.codes, c.reasons, strict=True)],
                }
                for c in dash.cards
            ],
        },
    }


def to_json(dash: Dashboard, course: Course) -> tuple[str, str]:
    return json.dumps(as_dict(dash, course), ensure_ascii=False, indent=2), "application/json"


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _versions(versions: Any) -> str:
    if isinstance(versions, dict):
        return " ".join(f"{k}:{v}" for k, v in versions.items())
    return ""


def _week_versions(w: WeekView) -> str:
    parts = []
    for key in items.SCALE_ITEMS:
        m = w.measures[key]
        if m.status == VALUE:
            parts.append(f"{key}:{m.version}")
    return " ".join(parts)


def csv_records(dash: Dashboard) -> Iterable[dict[str, Any]]:
    """The CSV rows as dicts (numbers as floats), in the order they are written."""
    selected = dash.selected.week.start
    for w in dash.weeks:
        base = {"week_start": w.week.start.isoformat(), "iso_week": w.week.iso_week}
        row: dict[str, Any] = {**base, "record": "week", "respondents": w.respondents, "roster_size": w.roster_size}
        for key in MEASURES:
            m = w.measures[key]
            row[key] = _round(m.value) if m.status == VALUE else None
        row["item_versions"] = _week_versions(w)
        notes = []
        if w.measures[INDEX].status == PENDING:
            notes.append(_("Results are computed once, when the week has closed."))
        elif w.respondents and not w.visible:
            notes.append(_("Too few answers to show group values."))
        if w.hidden_open_answers:
            notes.append(
                ngettext(
                    "%(num)d open answer not shown: too few respondents.",
                    "%(num)d open answers not shown: too few respondents.",
                    w.hidden_open_answers,
                )
            )
        row["note"] = " ".join(notes)
        yield row
        named_ids = set()
        for n in w.named:
            named_ids.add(n.person.user_id)
            yield {
                **base,
                "record": "response",
                "student": n.person.name,
                "index": _round(n.index),
                **{k: n.answers.get(k) for k in items.SCALE_ITEMS},
                "item_versions": _versions(n.item_versions),
                "contact_request": "yes" if n.contact_opt_in else "no",
                "open_answer": n.open_answer or "",
            }
        for person in w.contacts:
            if person.user_id not in named_ids:
                yield {**base, "record": "contact_request", "student": person.name, "contact_request": "yes"}
        for answer in w.open_answers:
            if answer.name is None:
                yield {**base, "record": "open_answer", "open_answer": answer.text}
        if w.week.start == selected:
            for code in dash.class_codes:
                yield {**base, "record": "class_signal", "signals": code, "note": dash.class_reasons[code]}
            for card in dash.cards:
                yield {
                    **base,
                    "record": "student_signal",
                    "student": card.person.name,
                    "contact_request": "yes" if card.opted_in else "",
                    "signals": " ".join(card.codes),
                    "note": " ".join(card.reasons),
                }


def to_csv(dash: Dashboard, course: Course) -> tuple[str, str]:
    dutch = dash.lang == "nl"
    out = io.StringIO()
    # A byte order mark makes Excel read the file as UTF-8 (names such as "Öztürk").
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writeheader()
    for record in csv_records(dash):
        cells = {}
        for column in CSV_COLUMNS:
            value = record.get(column)
            if isinstance(value, float):
                value = f"{value:.1f}".replace(".", ",") if dutch else f"{value:.1f}"
            cells[column] = "" if value is None else safe_cell(value)
        writer.writerow(cells)
    return out.getvalue(), "text/csv"


def filename(course: Course, dash: Dashboard, fmt: str) -> str:
    """An ASCII file name: erbij-checkin-<course>-<week>.<fmt> (safe in any header)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", course.label or course.display_title).strip("-").lower()[:40] or "course"
    return f"erbij-checkin-{slug}-{dash.selected.week.start.isoformat()}.{fmt}"
