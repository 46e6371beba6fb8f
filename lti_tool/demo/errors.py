"""The one exception type the demo LMS's pages raise to show a clear error page."""

from __future__ import annotations


class DemoError(Exception):
    """A refusal shown to the person as an HTML page with this status (never a 500).

    `title` is the page heading; `message` says what went wrong and, where possible,
    what to do about it.
    """

    def __init__(self, message: str, status: int = 400, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.title = title or _DEFAULT_TITLES.get(status, "Something went wrong")


_DEFAULT_TITLES = {
    400: "The request was refused",
    403: "Not allowed",
    404: "Not found",
}
