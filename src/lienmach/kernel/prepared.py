"""Prepared statements: built once, compiled once per database, run on the driver's cursor.

SQLAlchemy Core does real work on every ``Connection.execute``: it looks the statement up in
its compiled cache, builds the parameters through ``construct_params``, sets up an execution
context and a result with its metadata. For the short statements of the journey that is
~65 µs a statement against ~8 µs for SQLite itself (``bench/prepared_statements.py``), and
it was some 40 % of the Python time of a run. A hot statement kept as a module constant is
wrapped in :func:`prepared`: the first run on each database compiles it with SQLAlchemy and
keeps what it found (the SQL string, the order of the parameters, SQLAlchemy's own type
processors for them and for the result columns); each later run only binds and executes.

Same meaning as ``Connection.execute``: the same SQL, the same conversions of values, driver
errors raised as SQLAlchemy's wrapped exceptions, ``before_cursor_execute`` listeners told.
IN lists get their placeholders written out per length, as SQLAlchemy does; many rows with
RETURNING on SQLite run one execute a row. Outside a transaction (nothing begun yet on the
connection), and for what it does not handle (an empty IN list, many rows on PostgreSQL,
Python-side column defaults, binds computed by a callable), it hands the statement to
SQLAlchemy unchanged, so a wrapped statement is never wrong, at worst not faster. See ADR 0016.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, cast

from sqlalchemy import ARRAY, Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.sql.elements import ClauseElement

from lienmach.kernel.rows import Rows, row_maker

Parameters = Mapping[str, Any] | list[Mapping[str, Any]] | list[dict[str, Any]] | None
Processor = Callable[[Any], Any] | None
_REQUIRED = object()
_MOST_SIZES = 256  # IN-list lengths kept per statement


class _Bind(NamedTuple):
    driver_name: str  # as the SQL names it (named parameters)
    key: str  # as a caller passes it
    name: str  # SQLAlchemy's name for it, which a caller may pass too
    default: Any  # _REQUIRED when a caller must pass it
    processor: Processor  # SQLAlchemy's conversion for the driver


class _Binding(NamedTuple):
    take: Callable[[Mapping[str, Any]], Any]  # the values, in the binds' order
    one: bool  # a single bind (itemgetter then returns the value itself)
    defaults: dict[str, Any]  # of the binds a caller may leave out
    other_names: frozenset[str]  # SQLAlchemy's names for those: a caller passing one is rare
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    driver_names: tuple[str, ...] | None  # named parameters (None: positional)


@dataclass(frozen=True)
class _Plan:
    """What running the statement on one database takes, found once by compiling it."""

    sql: str
    binds: tuple[_Bind, ...]
    positional: bool
    row: Callable[[Any], Any] | None  # builds a row from the driver's tuple; None: no rows
    result_processors: tuple[Processor, ...]
    processed: bool  # some result column has a processor
    #: executemany straight to the driver: it pays on SQLite; on PostgreSQL SQLAlchemy's own
    #: (many rows to one INSERT, pipelined updates) is as fast or faster.
    direct_many: bool
    #: The IN lists, each once: their placeholders are written out for each length given
    #: (as SQLAlchemy does on every run), see ``sized``.
    lists: tuple[_Bind, ...] = ()
    #: Keyword arguments for the driver's ``execute`` (on PostgreSQL, ``prepare=False`` for a
    #: statement planned on each run, see :func:`prepared`).
    driver_options: Mapping[str, Any] = field(default_factory=dict)
    _sized: dict[tuple[int, ...], _Plan] = field(default_factory=dict)

    @functools.cached_property
    def binding(self) -> _Binding:
        """How to bind a caller's parameters in a few C-level steps."""
        keys = [bind.key for bind in self.binds]
        optional = [bind for bind in self.binds if bind.default is not _REQUIRED]
        return _Binding(
            take=operator.itemgetter(*keys) if keys else (lambda _values: ()),
            one=len(keys) == 1,
            defaults={bind.key: bind.default for bind in optional},
            other_names=frozenset(bind.name for bind in optional if bind.name != bind.key),
            processors=tuple((i, b.processor) for i, b in enumerate(self.binds) if b.processor),
            driver_names=None if self.positional else tuple(b.driver_name for b in self.binds),
        )

    def sized(self, values: Mapping[str, Any]) -> tuple[_Plan, dict[str, Any]] | None:
        """The plan for the lengths of the IN lists in ``values``, and ``values`` with each
        element under a name of its own; None for an empty list."""
        lists = {bind.name: list(_value(bind, values)) for bind in self.lists}
        lengths = tuple(len(elements) for elements in lists.values())
        if not all(lengths):
            return None  # SQLAlchemy writes an empty IN its own way
        if lengths not in self._sized:
            if len(self._sized) >= _MOST_SIZES:
                self._sized.clear()  # lengths seldom seen again: start over rather than grow
            sql, binds = self.sql, []
            for bind in self.binds:
                if bind.name not in lists:
                    binds.append(bind)
                    continue
                names = [f"{bind.name}__{i}" for i in range(len(lists[bind.name]))]
                marks = ["?" if self.positional else f"%({name})s" for name in names]
                sql = sql.replace(f"__[POSTCOMPILE_{bind.name}]", ", ".join(marks))
                binds.extend(_Bind(n, n, n, _REQUIRED, bind.processor) for n in names)
            self._sized[lengths] = replace(self, sql=sql, binds=tuple(binds), lists=(), _sized={})
        spread = dict(values)
        for name, elements in lists.items():
            spread.update((f"{name}__{i}", element) for i, element in enumerate(elements))
        return self._sized[lengths], spread


class Prepared:
    """A statement to run many times: ``prepared(statement).run(connection, parameters)``."""

    def __init__(self, statement: Executable, *, plan_each_run: bool = False) -> None:
        self.statement = statement
        self.plan_each_run = plan_each_run
        # By dialect name and, for INSERT and UPDATE, the columns given (as SQLAlchemy does).
        self._plans: dict[tuple[str, tuple[str, ...]], _Plan | None] = {}
        self._dml = isinstance(statement, Insert | Update)

    def run(self, connection: Connection, parameters: Parameters = None) -> Rows:
        """Execute on ``connection``: one set of parameters, a list of them (executemany), or
        none; returns the rows (empty for a statement that returns none) and the row count."""
        many = isinstance(parameters, list | tuple)
        given = cast(Sequence[Mapping[str, Any]], parameters if many else [parameters or {}])
        plan = None
        if connection.in_transaction() and given:
            plan = self._plan(connection.dialect, given[0])
        if plan is not None and plan.lists:
            sized = None if many else plan.sized(given[0])
            plan, given = (None, given) if sized is None else (sized[0], [sized[1]])
        if plan is None or (many and not plan.direct_many):
            # On PostgreSQL SQLAlchemy sends many rows as one statement.
            return _through_sqlalchemy(connection, self.statement, parameters)
        bound = [_bind(plan, values) for values in given]
        if many and plan.row is not None:
            return _each_returning(connection, plan, bound)
        return _execute(connection, plan, bound if many else bound[0], many)

    def _plan(self, dialect: Dialect, first: Mapping[str, Any]) -> _Plan | None:
        dml = self._dml
        key = (dialect.name, tuple(first) if dml else ())
        if key not in self._plans:
            compiled = cast(ClauseElement, self.statement).compile(
                dialect=dialect, column_keys=sorted(key[1]) if dml else None
            )
            plan = _plan_of(cast(SQLCompiler, compiled), dialect)
            if plan is not None and self.plan_each_run and dialect.name == "postgresql":
                plan = replace(plan, driver_options={"prepare": False})
            self._plans[key] = plan
        return self._plans[key]


def prepared(statement: Executable, *, plan_each_run: bool = False) -> Prepared:
    """``statement``, to be run through :meth:`Prepared.run`; build it once, at import.

    ``plan_each_run``: PostgreSQL plans it for the values of each run instead of keeping the
    generic plan the driver prepares after a few runs. For a join whose best plan depends on
    sizes (``UPDATE … FROM unnest(…)``): a generic plan made while a table was small, or
    from statistics that lag behind it, keeps scanning the whole table (ADR 0018).
    """
    return Prepared(statement, plan_each_run=plan_each_run)


def _plan_of(compiled: SQLCompiler, dialect: Dialect) -> _Plan | None:
    """The plan, or None for what is left to SQLAlchemy (see the module's docstring)."""
    if compiled.insert_prefetch or compiled.update_prefetch:
        return None
    if any(bind.callable is not None for bind in compiled.binds.values()):
        return None
    if dialect.paramstyle not in ("qmark", "pyformat"):
        return None
    positional = dialect.paramstyle == "qmark"
    # Named: each bind once, by the name the SQL uses (a literal bind also has an anonymous one).
    used = compiled.positiontup if positional else list(dict.fromkeys(compiled.bind_names.values()))
    processors = compiled._bind_processors
    escaped = compiled.escaped_bind_names
    lists = {compiled.bind_names[bind] for bind in compiled.post_compile_params}
    binds = []
    for name in used or ():
        bind = compiled.binds[name]
        binds.append(
            _Bind(
                escaped.get(name, name),
                bind.key,
                name,
                _REQUIRED if bind.required else bind.effective_value,
                cast(Processor, processors.get(name)),
            )
        )
    row: Callable[[Any], Any] | None = None
    result_processors: tuple[Processor, ...] = ()
    columns = compiled._result_columns
    if columns:
        row = row_maker([column.keyname for column in columns])
        result_processors = tuple(
            cast(Processor, column.type._cached_result_processor(dialect, None))
            for column in columns
        )
    return _Plan(
        sql=_binary_arrays(compiled) if dialect.name == "postgresql" else compiled.string,
        binds=tuple(binds),
        positional=positional,
        row=row,
        result_processors=result_processors,
        processed=any(result_processors),
        direct_many=dialect.name == "sqlite",
        lists=tuple({bind.name: bind for bind in binds if bind.name in lists}.values()),
    )


def _binary_arrays(compiled: SQLCompiler) -> str:
    """The SQL with its array parameters in psycopg's binary format (``%(name)b``): in the
    text format psycopg quotes and escapes every element in Python, which took ~30 % of the
    KPI upkeep's time (kernel.bulk sends every column as an array); binary elements are only
    copied, and JSON ones are not escaped a second time."""
    sql = compiled.string
    for name, bind in compiled.binds.items():
        if isinstance(bind.type, ARRAY):
            driver_name = compiled.escaped_bind_names.get(name, name)
            sql = sql.replace(f"%({driver_name})s", f"%({driver_name})b")
    return sql


def _value(bind: _Bind, values: Mapping[str, Any]) -> Any:
    if bind.key in values:
        return values[bind.key]
    if bind.name in values:
        return values[bind.name]
    if bind.default is _REQUIRED:
        raise exc.InvalidRequestError(f"A value is required for bind parameter {bind.key!r}")
    return bind.default


def _bind(plan: _Plan, values: Mapping[str, Any]) -> Any:
    binding = plan.binding
    if binding.other_names.isdisjoint(values):
        try:
            taken = binding.take({**binding.defaults, **values} if binding.defaults else values)
        except KeyError:
            pass  # a required value missing: said below as SQLAlchemy says it
        else:
            row = [taken] if binding.one else list(taken)
            for i, process in binding.processors:
                row[i] = process(row[i])
            if binding.driver_names is None:
                return tuple(row)
            return dict(zip(binding.driver_names, row, strict=True))
    bound = []
    for bind in plan.binds:
        value = _value(bind, values)
        bound.append(value if bind.processor is None else bind.processor(value))
    if plan.positional:
        return tuple(bound)
    return {bind.driver_name: value for bind, value in zip(plan.binds, bound, strict=True)}


def _execute(connection: Connection, plan: _Plan, parameters: Any, many: bool) -> Rows:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        listeners = connection.dispatch.before_cursor_execute
        if listeners:
            listeners(connection, cursor, plan.sql, parameters, None, many)
        try:
            if many:
                cursor.executemany(plan.sql, parameters)
            else:
                cursor.execute(plan.sql, parameters, **plan.driver_options)
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, plan, parameters, error) from error
        rows = _rows_of(plan, cursor)
        rows.rowcount = cursor.rowcount
        return rows
    finally:
        cursor.close()


def _each_returning(connection: Connection, plan: _Plan, bound: list[Any]) -> Rows:
    """Many rows with RETURNING on SQLite, whose executemany returns no rows: one execute a
    row on the driver, a few µs each, where SQLAlchemy's many-rows INSERT costs ~30 µs a row
    of Python. Listeners are told of one statement of many rows, as of an executemany; the
    rows come back in the order given, as from SQLAlchemy."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        listeners = connection.dispatch.before_cursor_execute
        if listeners:
            listeners(connection, cursor, plan.sql, bound, None, True)
        rows = Rows()
        count = 0
        for values in bound:
            try:
                cursor.execute(plan.sql, values)
            except connection.dialect.loaded_dbapi.Error as error:
                raise _wrapped(connection, plan, values, error) from error
            rows.extend(_rows_of(plan, cursor))
            count += cursor.rowcount
        rows.rowcount = count
        return rows
    finally:
        cursor.close()


def _wrapped(connection: Connection, plan: _Plan, parameters: Any, error: Exception) -> Exception:
    """The driver's error as SQLAlchemy raises it."""
    dialect = connection.dialect
    return exc.DBAPIError.instance(
        plan.sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect
    )


def _rows_of(plan: _Plan, cursor: Any) -> Rows:
    rows = Rows()
    if plan.row is not None:
        make, processors = plan.row, plan.result_processors
        if plan.processed:
            for raw in cursor.fetchall():
                rows.append(
                    make(
                        [
                            value if process is None else process(value)
                            for process, value in zip(processors, raw, strict=True)
                        ]
                    )
                )
        else:
            rows.extend(map(make, cursor.fetchall()))
    return rows


def _through_sqlalchemy(connection: Connection, statement: Executable, parameters: Any) -> Rows:
    result = connection.execute(statement, parameters)
    rows = Rows(result.all()) if result.returns_rows else Rows()
    rows.rowcount = result.rowcount
    return rows
