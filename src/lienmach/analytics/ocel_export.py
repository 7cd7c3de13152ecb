"""``lienmach export-ocel``: the object-centric log of a window as OCEL 2.0 JSON or SQLite."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from lienmach.analytics.ocel import FORMATS, Progress
from lienmach.analytics.ocel_json import write_ocel_json
from lienmach.analytics.ocel_sqlite import write_ocel_sqlite
from lienmach.kernel.errors import InvalidInput


def export_ocel(
    connection: Connection,
    *,
    file_format: str,
    path: Path,
    since: datetime,
    until: datetime,
    progress: Progress = lambda _done: None,
) -> tuple[int, int]:
    """Write the log of [since, until) to ``path``; returns (events, objects) written."""
    errors = {}
    if file_format not in FORMATS:
        errors["format"] = f"choose one of: {', '.join(FORMATS)}"
    if path.is_dir() or not path.parent.is_dir():
        errors["output"] = "give a file in an existing folder"
    if errors:
        raise InvalidInput(errors)
    writer = write_ocel_json if file_format == "json" else write_ocel_sqlite
    return writer(connection, path, since=since, until=until, progress=progress)
