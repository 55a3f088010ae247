"""Rewrite welsh_places.tsv from the Welsh Language Commissioner's CSV: `python -m … FILE.csv`."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from reader.pipeline.speechtext.welsh import LIST_FILE


def rows_of(csv_path: Path) -> list[tuple[str, str, str]]:
    """Return (welsh, other welsh form, english) of each place in the list, each row once."""
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    # The Commissioner's file starts with a byte-order mark.
    with csv_path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        next(reader, None)  # the header row: Ffurf safonol, Ffurf safonol arall, Ffurf Saesneg…
        for record in reader:
            if len(record) < 3 or not record[0].strip():
                continue
            welsh, other, english = (field.strip() for field in record[:3])
            row = (welsh, other, english or welsh)
            if row not in seen:
                seen.add(row)
                rows.append(row)
    return rows


def rewrite(csv_path: Path, target: Path = LIST_FILE) -> int:
    """Replace the rows of `target` by those of `csv_path`, keeping its header; return how many."""
    header = [line for line in target.read_text("utf-8").splitlines() if line.startswith("#")]
    rows = rows_of(csv_path)
    lines = [*header, "welsh\tother\tenglish", *("\t".join(row) for row in rows)]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def main(argv: list[str]) -> int:
    """Rewrite the list from the CSV named on the command line; 2 with one clear line if none."""
    if len(argv) != 1 or not Path(argv[0]).is_file():
        print("usage: python -m reader.pipeline.speechtext.welsh_places_build LIST.csv")
        return 2
    print(f"{rewrite(Path(argv[0]))} places written to {LIST_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
