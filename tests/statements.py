"""What the app sends to the database, watched from a test."""

from __future__ import annotations

from sqlalchemy import event

from lti_tool.extensions import db
from lti_tool.transactions import in_block


class StatementLog:
    """Every SQL statement the app sends while the block runs (`with StatementLog(app) as log`),
    each with whether the driver held a transaction open after it."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.entries: list[tuple[str, bool]] = []  # (statement, in a transaction after it)

    def __enter__(self) -> StatementLog:
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _after(self, conn, cursor, statement, *args) -> None:
        self.entries.append((" ".join(statement.split()), in_block(conn)))

    def clear(self) -> None:
        self.entries.clear()

    @property
    def statements(self) -> list[str]:
        return [text for text, _held in self.entries]

    @property
    def in_transaction(self) -> list[bool]:
        return [held for _text, held in self.entries]

    @property
    def verbs(self) -> list[tuple[str, bool]]:
        """(the statement's first word, in a transaction after it) for each."""
        return [(text.split()[0].upper(), held) for text, held in self.entries]

    @property
    def writes(self) -> list[str]:
        return [text for text in self.statements if writes(text)]


def writes(statement: str) -> bool:
    """An INSERT, UPDATE or DELETE, on its own or in a WITH (PostgreSQL's launch statement)."""
    words = statement.upper().split()
    return words[0] in ("INSERT", "UPDATE", "DELETE") or (words[0] == "WITH" and any(w in ("(INSERT", "(UPDATE", "(DELETE") for w in words))
