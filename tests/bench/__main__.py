"""Run every benchmark module (or those named) and print one table.

python -m tests.bench [--repeat N] [AREA ...]     e.g. AREA = core, mr, load, pipeline
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import tests.bench
from tests.bench.common import Row, print_rows


def main() -> int:
    areas = sorted(
        name.removeprefix("bench_")
        for _, name, _ in pkgutil.iter_modules(tests.bench.__path__)
        if name.startswith("bench_")
    )
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("areas", nargs="*", help=f"areas to run: {', '.join(areas)} (default all)")
    args = parser.parse_args()
    unknown = sorted(set(args.areas) - set(areas))
    if unknown:
        parser.error(f"no benchmark area {unknown[0]!r}; the areas are: {', '.join(areas)}")
    rows: list[Row] = []
    for area in args.areas or areas:
        print(f"running {area} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"tests.bench.bench_{area}")
        rows.extend(module.main(repeat=args.repeat))
    print_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
