"""What a prepared statement (kernel.prepared) gives back: rows built from the driver's tuples,
with the access and ``Result`` methods the code uses from SQLAlchemy's."""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any

from sqlalchemy import exc

__all__ = ["Rows", "row_maker"]


class Rows(list[Any]):
    """What a prepared statement returned: its rows (attribute, index and unpacking access,
    like SQLAlchemy's ``Row``) and ``rowcount``, with the ``Result`` methods the code uses."""

    rowcount: int = -1

    def all(self) -> list[Any]:
        return list(self)

    def first(self) -> Any:
        return self[0] if self else None

    def one(self) -> Any:
        if len(self) != 1:
            raise exc.NoResultFound("no row") if not self else exc.MultipleResultsFound()
        return self[0]

    def one_or_none(self) -> Any:
        if len(self) > 1:
            raise exc.MultipleResultsFound()
        return self.first()

    def scalar(self) -> Any:
        return self[0][0] if self else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return None if row is None else row[0]

    def scalars(self) -> Rows:
        return Rows(row[0] for row in self)


def row_maker(keys: list[str]) -> Callable[[Any], Any]:
    """Builds a row (a named tuple with ``_mapping``) of ``keys`` from a driver's tuple."""
    base = collections.namedtuple("Row", keys, rename=True)  # type: ignore[misc]

    class Row(base):
        __slots__ = ()

        @property
        def _mapping(self) -> dict[str, Any]:
            return dict(zip(keys, self, strict=True))

    return Row._make
