"""SQL statements per order of the journey, by statement and table (not a timing).

    python bench/statements_per_order.py --orders 100

Runs bench/order_journey.py on SQLite with a listener counting every statement sent to the
driver, then prints the total and the most frequent ones per order. Counts move only when
the code does, so they compare well on a busy machine where timings do not.
"""

from __future__ import annotations

import argparse
import collections
import re
import runpy
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

SHAPE = re.compile(r"(SELECT .*? FROM \w+|INSERT INTO \w+|UPDATE \w+|DELETE FROM \w+|\w+)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--top", type=int, default=40)
    arguments = parser.parse_args()
    counts: collections.Counter[tuple[str, bool]] = collections.Counter()

    @event.listens_for(sa.engine.Engine, "before_cursor_execute")
    def count(*args: Any) -> None:
        statement, many = " ".join(args[2].split()), bool(args[5])
        shape = SHAPE.match(statement)
        counts[(shape.group(1)[:90] if shape else statement[:60], many)] += 1

    journey = Path(__file__).with_name("order_journey.py")
    sys.argv = [str(journey), "--database", "sqlite", "--orders", str(arguments.orders)]
    try:
        runpy.run_path(str(journey), run_name="__main__")
    finally:
        total = sum(counts.values())
        print(f"\n{total / arguments.orders:.1f} statements per order ({total} in all)")
        for (shape, many), number in counts.most_common(arguments.top):
            print(f"{number / arguments.orders:8.2f}  {shape}{'  (executemany)' if many else ''}")


if __name__ == "__main__":
    main()
