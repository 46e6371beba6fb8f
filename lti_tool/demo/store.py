"""The demo LMS's own state: one SQLite file, the stdlib `sqlite3` module, no ORM.

This is deliberately separate from Erbij's database and models: the demo plays the LMS,
and an LMS does not share a database with its tools.

Thread safety: every call opens its own short-lived connection (sqlite3 connections must
not cross threads), and all writes go through one process-wide lock so that
read-modify-write steps (a single-use jti, a fault counter) are atomic under the threaded
development server.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'nl' CHECK (locale IN ('nl', 'en'))
);
CREATE TABLE IF NOT EXISTS courses (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    title TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS enrollments (
    course_id TEXT NOT NULL REFERENCES courses(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL CHECK (role IN ('Instructor', 'Learner')),
    PRIMARY KEY (course_id, user_id)
);
CREATE TABLE IF NOT EXISTS resource_links (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses(id),
    title TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    custom TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS line_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id TEXT NOT NULL REFERENCES courses(id),
    resource_link_id TEXT REFERENCES resource_links(id),
    label TEXT NOT NULL,
    score_maximum REAL NOT NULL,
    resource_id TEXT,
    tag TEXT,
    start_date_time TEXT,
    end_date_time TEXT,
    submission_review TEXT
);
CREATE TABLE IF NOT EXISTS results (
    line_item_id INTEGER NOT NULL REFERENCES line_items(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    score_given REAL,
    score_maximum REAL,
    comment TEXT,
    timestamp TEXT NOT NULL,
    timestamp_utc TEXT NOT NULL,
    activity_progress TEXT NOT NULL,
    grading_progress TEXT NOT NULL,
    above_maximum INTEGER NOT NULL DEFAULT 0,
    received_at REAL NOT NULL,
    submission TEXT,
    PRIMARY KEY (line_item_id, user_id)
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS access_tokens (
    token TEXT PRIMARY KEY,
    scopes TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS used_once (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE TABLE IF NOT EXISTS service_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    kind TEXT NOT NULL,
    user_id TEXT
);
CREATE TABLE IF NOT EXISTS editor_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id TEXT NOT NULL REFERENCES courses(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    title TEXT NOT NULL DEFAULT '',
    html TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""

# Columns added after the first release: (table, column, type) added to older demo databases.
ADDED_COLUMNS = (("line_items", "submission_review", "TEXT"), ("results", "submission", "TEXT"))

INSTRUCTOR = "Instructor"
LEARNER = "Learner"


@dataclass(frozen=True)
class User:
    id: str
    given_name: str
    family_name: str
    name: str
    email: str
    locale: str


@dataclass(frozen=True)
class Course:
    id: str
    label: str
    title: str


@dataclass(frozen=True)
class Member:
    """A user with their role in one course."""

    user: User
    role: str


@dataclass(frozen=True)
class ResourceLink:
    id: str
    course_id: str
    title: str
    text: str
    custom: dict[str, str]


@dataclass(frozen=True)
class LineItem:
    id: int
    course_id: str
    resource_link_id: str | None
    label: str
    score_maximum: float
    resource_id: str | None
    tag: str | None
    start_date_time: str | None
    end_date_time: str | None
    # LTI Submission Review: {"reviewableStatus": [...], "label", "url", "custom"} or None.
    submission_review: dict[str, Any] | None = None


@dataclass(frozen=True)
class Result:
    """The gradebook cell for one student and one line item (the last accepted score)."""

    line_item_id: int
    user_id: str
    score_given: float | None
    score_maximum: float | None
    comment: str | None
    timestamp: str
    timestamp_utc: str
    activity_progress: str
    grading_progress: str
    above_maximum: bool
    received_at: float
    # Canvas's https://canvas.instructure.com/lti/submission extension, as last received.
    submission: dict[str, Any] | None = None


@dataclass(frozen=True)
class LogEntry:
    at: float
    method: str
    path: str
    status: int
    kind: str
    user_id: str | None


@dataclass(frozen=True)
class EditorItem:
    id: int
    course_id: str
    user_id: str
    title: str
    html: str
    created_at: float


class Store:
    """Data access for the demo LMS. Methods return frozen dataclasses, never rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        with self._write() as conn:
            conn.executescript(SCHEMA)
            for table, column, kind in ADDED_COLUMNS:
                present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        with self._connect() as conn:
            # WAL lets page reads run while a service request writes.
            conn.execute("PRAGMA journal_mode=WAL")

    # -- connections -------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        # WAL + NORMAL: durable enough for a demo, without an fsync per small write.
        conn.execute("PRAGMA synchronous = NORMAL")
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A connection inside the write lock and one transaction (commit or roll back)."""
        with self._lock, self._connect() as conn, conn:
            yield conn

    # -- settings and counters ---------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self._connect() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def set_setting_if_absent(self, key: str, value: str) -> str:
        """Store `value` unless the key exists; return what is stored."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                (key, value),
            )
            return conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()[0]

    def increment(self, counter: str) -> int:
        key = f"counter.{counter}"
        with self._write() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                (key,),
            )
            return int(conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()[0])

    def counter(self, counter: str) -> int:
        return int(self.get_setting(f"counter.{counter}", "0") or 0)

    # -- fault injection ---------------------------------------------------------------

    def set_fault(self, name: str, mode: str | None, count: int) -> None:
        value = json.dumps({"mode": mode, "remaining": count if mode else 0})
        self.set_setting(f"fault.{name}", value)

    def get_fault(self, name: str) -> dict[str, Any]:
        raw = self.get_setting(f"fault.{name}")
        return json.loads(raw) if raw else {"mode": None, "remaining": 0}

    def take_fault(self, name: str) -> str | None:
        """Consume one injected failure, if any is pending, and return its mode."""
        key = f"fault.{name}"
        with self._write() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            if not row:
                return None
            fault = json.loads(row["value"])
            if not fault.get("mode") or fault.get("remaining", 0) <= 0:
                return None
            fault["remaining"] -= 1
            conn.execute("UPDATE settings SET value = ? WHERE key = ?", (json.dumps(fault), key))
            return str(fault["mode"])

    # -- people and courses ------------------------------------------------------------

    def add_user(self, user: User) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO users (id, given_name, family_name, name, email, locale) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    user.id,
                    user.given_name,
                    user.family_name,
                    user.name,
                    user.email,
                    user.locale,
                ),
            )

    def get_user(self, user_id: str) -> User | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return User(**dict(row)) if row else None

    def list_users(self) -> list[User]:
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM users ORDER BY family_name, given_name").fetchall()
        return [User(**dict(r)) for r in rows]

    def set_user_locale(self, user_id: str, locale: str) -> None:
        with self._write() as conn:
            conn.execute("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))

    def add_course(self, course: Course) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO courses (id, label, title) VALUES (?, ?, ?)",
                (course.id, course.label, course.title),
            )

    def get_course(self, course_id: str) -> Course | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM courses WHERE id = ?", (course_id,)).fetchone()
        return Course(**dict(row)) if row else None

    def enroll(self, course_id: str, user_id: str, role: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO enrollments (course_id, user_id, role) VALUES (?, ?, ?)",
                (course_id, user_id, role),
            )

    def role_in_course(self, course_id: str, user_id: str) -> str | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT role FROM enrollments WHERE course_id = ? AND user_id = ?",
                (course_id, user_id),
            ).fetchone()
        return row["role"] if row else None

    def courses_for_user(self, user_id: str) -> list[tuple[Course, str]]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT c.id, c.label, c.title, e.role FROM courses c "
                "JOIN enrollments e ON e.course_id = c.id WHERE e.user_id = ? ORDER BY c.title",
                (user_id,),
            ).fetchall()
        return [(Course(r["id"], r["label"], r["title"]), r["role"]) for r in rows]

    def members(self, course_id: str) -> list[Member]:
        """Teachers first, then students, each by family name (as an LMS roster lists them)."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT u.*, e.role FROM enrollments e JOIN users u ON u.id = e.user_id "
                "WHERE e.course_id = ? "
                "ORDER BY e.role = 'Learner', u.family_name COLLATE NOCASE, u.given_name",
                (course_id,),
            ).fetchall()
        members = []
        for row in rows:
            data = dict(row)
            role = data.pop("role")
            members.append(Member(User(**data), role))
        return members

    def learners(self, course_id: str) -> list[User]:
        return [m.user for m in self.members(course_id) if m.role == LEARNER]

    # -- resource links ----------------------------------------------------------------

    def add_resource_link(
        self,
        course_id: str,
        title: str,
        text: str = "",
        custom: dict[str, str] | None = None,
        link_id: str | None = None,
    ) -> ResourceLink:
        link = ResourceLink(
            id=link_id or f"rl-{secrets.token_hex(6)}",
            course_id=course_id,
            title=title,
            text=text,
            custom=dict(custom or {}),
        )
        with self._write() as conn:
            conn.execute(
                "INSERT INTO resource_links (id, course_id, title, text, custom, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (link.id, course_id, title, text, json.dumps(link.custom), time.time()),
            )
        return link

    def get_resource_link(self, link_id: str) -> ResourceLink | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM resource_links WHERE id = ?", (link_id,)).fetchone()
        return _resource_link(row) if row else None

    def resource_links(self, course_id: str) -> list[ResourceLink]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM resource_links WHERE course_id = ? ORDER BY created_at, rowid",
                (course_id,),
            ).fetchall()
        return [_resource_link(r) for r in rows]

    # -- line items --------------------------------------------------------------------

    def add_line_item(
        self,
        course_id: str,
        label: str,
        score_maximum: float,
        resource_link_id: str | None = None,
        resource_id: str | None = None,
        tag: str | None = None,
        start_date_time: str | None = None,
        end_date_time: str | None = None,
        submission_review: dict[str, Any] | None = None,
    ) -> LineItem:
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO line_items (course_id, resource_link_id, label, score_maximum, "
                "resource_id, tag, start_date_time, end_date_time, submission_review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    course_id,
                    resource_link_id,
                    label,
                    score_maximum,
                    resource_id,
                    tag,
                    start_date_time,
                    end_date_time,
                    _json_or_none(submission_review),
                ),
            )
            line_item_id = int(cur.lastrowid or 0)
        return LineItem(
            line_item_id,
            course_id,
            resource_link_id,
            label,
            float(score_maximum),
            resource_id,
            tag,
            start_date_time,
            end_date_time,
            submission_review,
        )

    def get_line_item(self, course_id: str, line_item_id: int) -> LineItem | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM line_items WHERE course_id = ? AND id = ?",
                (course_id, line_item_id),
            ).fetchone()
        return _line_item(row) if row else None

    def line_items(
        self,
        course_id: str,
        resource_link_id: str | None = None,
        resource_id: str | None = None,
        tag: str | None = None,
    ) -> list[LineItem]:
        sql = "SELECT * FROM line_items WHERE course_id = ?"
        args: list[Any] = [course_id]
        for column, value in (
            ("resource_link_id", resource_link_id),
            ("resource_id", resource_id),
            ("tag", tag),
        ):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        return [_line_item(r) for r in rows]

    def update_line_item(self, item: LineItem) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE line_items SET label = ?, score_maximum = ?, resource_id = ?, tag = ?, "
                "start_date_time = ?, end_date_time = ?, submission_review = ? WHERE id = ? AND course_id = ?",
                (
                    item.label,
                    item.score_maximum,
                    item.resource_id,
                    item.tag,
                    item.start_date_time,
                    item.end_date_time,
                    _json_or_none(item.submission_review),
                    item.id,
                    item.course_id,
                ),
            )

    def delete_line_item(self, course_id: str, line_item_id: int) -> None:
        with self._write() as conn:
            conn.execute(
                "DELETE FROM line_items WHERE course_id = ? AND id = ?",
                (course_id, line_item_id),
            )

    # -- results -----------------------------------------------------------------------

    def get_result(self, line_item_id: int, user_id: str) -> Result | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT * FROM results WHERE line_item_id = ? AND user_id = ?",
                (line_item_id, user_id),
            ).fetchone()
        return _result(row) if row else None

    def save_result(self, result: Result) -> None:
        """Replace the student's result for the line item (an LMS keeps only the last)."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO results (line_item_id, user_id, score_given, "
                "score_maximum, comment, timestamp, timestamp_utc, activity_progress, "
                "grading_progress, above_maximum, received_at, submission) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result.line_item_id,
                    result.user_id,
                    result.score_given,
                    result.score_maximum,
                    result.comment,
                    result.timestamp,
                    result.timestamp_utc,
                    result.activity_progress,
                    result.grading_progress,
                    int(result.above_maximum),
                    result.received_at,
                    _json_or_none(result.submission),
                ),
            )

    def results(self, line_item_id: int, user_id: str | None = None) -> list[Result]:
        sql = "SELECT * FROM results WHERE line_item_id = ?"
        args: list[Any] = [line_item_id]
        if user_id is not None:
            sql += " AND user_id = ?"
            args.append(user_id)
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY user_id", args).fetchall()
        return [_result(r) for r in rows]

    def results_for_course(self, course_id: str) -> dict[tuple[int, str], Result]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT r.* FROM results r JOIN line_items li ON li.id = r.line_item_id WHERE li.course_id = ?",
                (course_id,),
            ).fetchall()
        return {(r["line_item_id"], r["user_id"]): _result(r) for r in rows}

    # -- service tokens and single-use values ------------------------------------------

    def save_access_token(self, token: str, scopes: list[str], expires_at: float) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM access_tokens WHERE expires_at < ?", (time.time(),))
            conn.execute(
                "INSERT INTO access_tokens (token, scopes, expires_at) VALUES (?, ?, ?)",
                (token, " ".join(scopes), expires_at),
            )

    def get_access_token(self, token: str) -> tuple[list[str], float] | None:
        with self._connect() as conn:
            row = conn.execute("SELECT scopes, expires_at FROM access_tokens WHERE token = ?", (token,)).fetchone()
        return (row["scopes"].split(), row["expires_at"]) if row else None

    def use_once(self, kind: str, value: str, expires_at: float) -> bool:
        """Record a single-use value (a jti, a nonce); False if it was seen before."""
        with self._write() as conn:
            conn.execute("DELETE FROM used_once WHERE expires_at < ?", (time.time(),))
            cur = conn.execute(
                "INSERT OR IGNORE INTO used_once (kind, value, expires_at) VALUES (?, ?, ?)",
                (kind, value, expires_at),
            )
            return cur.rowcount == 1

    # -- request log (for the gradebook page and /demo/api/stats) ----------------------

    def log_service_request(self, method: str, path: str, status: int, kind: str, user_id: str | None = None) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO service_log (at, method, path, status, kind, user_id) VALUES (?, ?, ?, ?, ?, ?)",
                (time.time(), method, path, status, kind, user_id),
            )

    def recent_service_log(self, path_prefix: str, limit: int = 20) -> list[LogEntry]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT at, method, path, status, kind, user_id FROM service_log WHERE substr(path, 1, ?) = ? ORDER BY id DESC LIMIT ?",
                (len(path_prefix), path_prefix, limit),
            ).fetchall()
        return [LogEntry(**dict(r)) for r in rows]

    def score_post_counts(self) -> dict[str, Any]:
        """How many score POSTs arrived, in total, per user and per response status."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT user_id, status, COUNT(*) AS n FROM service_log WHERE kind = 'score' GROUP BY user_id, status"
            ).fetchall()
        per_user: dict[str, int] = {}
        per_status: dict[str, int] = {}
        total = 0
        for row in rows:
            total += row["n"]
            user = row["user_id"] or "(unknown)"
            per_user[user] = per_user.get(user, 0) + row["n"]
            per_status[str(row["status"])] = per_status.get(str(row["status"]), 0) + row["n"]
        return {"total": total, "per_user": per_user, "per_status": per_status}

    # -- rich text editor items (Deep Linking html) ------------------------------------

    def add_editor_item(self, course_id: str, user_id: str, title: str, html: str) -> int:
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO editor_items (course_id, user_id, title, html, created_at) VALUES (?, ?, ?, ?, ?)",
                (course_id, user_id, title, html, time.time()),
            )
            return int(cur.lastrowid or 0)

    def editor_items(self, course_id: str, user_id: str, limit: int = 10) -> list[EditorItem]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM editor_items WHERE course_id = ? AND user_id = ? ORDER BY id DESC LIMIT ?",
                (course_id, user_id, limit),
            ).fetchall()
        return [EditorItem(**dict(r)) for r in rows]


def _resource_link(row: sqlite3.Row) -> ResourceLink:
    return ResourceLink(
        id=row["id"],
        course_id=row["course_id"],
        title=row["title"],
        text=row["text"],
        custom=json.loads(row["custom"]),
    )


def _result(row: sqlite3.Row) -> Result:
    data = dict(row)
    data["above_maximum"] = bool(data["above_maximum"])
    data["submission"] = json.loads(data["submission"]) if data.get("submission") else None
    return Result(**data)


def _line_item(row: sqlite3.Row) -> LineItem:
    data = dict(row)
    data["submission_review"] = json.loads(data["submission_review"]) if data.get("submission_review") else None
    return LineItem(**data)


def _json_or_none(value: dict[str, Any] | None) -> str | None:
    return json.dumps(value) if value is not None else None
