"""Compile the Babel catalogues (.po → .mo). Run by `make` and by the test suite, so a
fresh clone never serves untranslated pages because a build step was forgotten."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent


def catalogue_files() -> list[Path]:
    return sorted(ROOT.glob("**/translations/*/LC_MESSAGES/messages.po"))


def translation_directories() -> str:
    """Every catalogue directory, relative to the package, as Flask-Babel wants them (';').

    Derived from the files, so a feature's catalogue is loaded without a config edit.
    """
    dirs = sorted({str(po.parents[2].relative_to(ROOT)) for po in catalogue_files()})
    return ";".join(dirs)


def compile_all() -> list[Path]:
    """Write messages.mo next to every messages.po that is newer than its .mo."""
    written = []
    for po in catalogue_files():
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        with mo.open("wb") as f:
            write_mo(f, catalog)
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path.relative_to(ROOT.parent)}")
