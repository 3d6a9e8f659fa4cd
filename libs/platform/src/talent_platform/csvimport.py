"""Reading the CSV interchange files coordinators export from spreadsheets.

Every file is UTF-8 (a byte-order mark is tolerated) with a header row naming exactly
the contract's columns, in any order. Rows are numbered as a spreadsheet shows them:
the header is row 1, the first record row 2. Every problem is collected with its row
number and field, and the whole file is rejected when there is any: nothing of a bad
file is applied.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from talent_platform.errors import FieldError, ValidationFailed

MAX_REPORTED_ERRORS = 500
Progress = Callable[[str], None]


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    dry_run: bool = False


@dataclass
class CsvRow:
    number: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


@dataclass
class RowErrors:
    """Errors of a whole file, each tied to a row number and column."""

    errors: list[FieldError] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(FieldError(f"row {row}: {column}", message))

    def raise_if_any(self, kind: str) -> None:
        if self.total:
            more = f" (first {len(self.errors)} listed)" if self.total > len(self.errors) else ""
            raise ValidationFailed(
                self.errors, f"{kind}: {self.total} problem(s){more}; nothing was imported"
            )


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            [FieldError("file", f"is not UTF-8 (byte {exc.start} cannot be decoded)")]
        ) from exc


def read_rows(data: bytes | str, columns: Sequence[str], *, kind: str) -> list[CsvRow]:
    """Parse a file and check its header; raises ValidationFailed naming what is wrong."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed(
            [FieldError("row 1", "the file is empty: expected a header row")]
        ) from None
    names = [h.strip() for h in header]
    problems: list[FieldError] = []
    missing = [c for c in columns if c not in names]
    unknown = [n for n in names if n not in columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if missing:
        problems.append(FieldError("row 1", f"missing column(s): {', '.join(missing)}"))
    if unknown:
        problems.append(FieldError("row 1", f"unknown column(s): {', '.join(unknown)}"))
    if duplicated:
        problems.append(FieldError("row 1", f"duplicated column(s): {', '.join(duplicated)}"))
    if problems:
        raise ValidationFailed(problems, f"{kind}: the header must be {','.join(columns)}")
    rows: list[CsvRow] = []
    errors = RowErrors()
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines, common at the end of exported files
        if len(record) != len(names):
            errors.add(number, "row", f"has {len(record)} fields, the header has {len(names)}")
            continue
        rows.append(CsvRow(number, {n: v.strip() for n, v in zip(names, record, strict=True)}))
    errors.raise_if_any(kind)
    return rows


def chunks(items: Sequence[object], size: int) -> Iterator[Sequence[object]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# -- field parsers: return None and record an error when a value is bad ----------------
def required(row: CsvRow, column: str, errors: RowErrors, *, max_length: int = 500) -> str | None:
    value = row[column]
    if not value:
        errors.add(row.number, column, "is required")
        return None
    if len(value) > max_length:
        errors.add(row.number, column, f"must be at most {max_length} characters")
        return None
    return value


def parse_date(
    row: CsvRow, column: str, errors: RowErrors, *, optional: bool = False
) -> dt.date | None:
    value = row[column]
    if not value:
        if not optional:
            errors.add(row.number, column, "is required (YYYY-MM-DD)")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.add(row.number, column, f"{value!r} is not a date (YYYY-MM-DD)")
        return None


def parse_int(
    row: CsvRow, column: str, errors: RowErrors, *, low: int, high: int, optional: bool = False
) -> int | None:
    value = row[column]
    if not value:
        if not optional:
            errors.add(row.number, column, f"is required ({low}-{high})")
        return None
    try:
        number = int(value)
    except ValueError:
        errors.add(row.number, column, f"{value!r} is not a whole number")
        return None
    if not low <= number <= high:
        errors.add(row.number, column, f"{number} is outside {low}-{high}")
        return None
    return number


def parse_float(
    row: CsvRow, column: str, errors: RowErrors, *, low: float, high: float, optional: bool = False
) -> float | None:
    value = row[column]
    if not value:
        if not optional:
            errors.add(row.number, column, "is required")
        return None
    try:
        number = float(value)
    except ValueError:
        errors.add(row.number, column, f"{value!r} is not a number")
        return None
    if not low <= number <= high:
        errors.add(row.number, column, f"{value} is outside {low:g}-{high:g}")
        return None
    return number


def parse_choice(row: CsvRow, column: str, errors: RowErrors, choices: Sequence[str]) -> str | None:
    value = row[column].lower()
    if value not in choices:
        errors.add(row.number, column, f"{row[column]!r} is not one of {', '.join(choices)}")
        return None
    return value


def parse_bool(row: CsvRow, column: str, errors: RowErrors) -> bool | None:
    value = row[column].lower()
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0"):
        return False
    errors.add(row.number, column, f"{row[column]!r} is not true or false")
    return None


def duplicates(
    rows: Sequence[CsvRow], key: Callable[[CsvRow], object], column: str, errors: RowErrors
) -> None:
    """Flag rows whose key repeats an earlier row's."""
    first: dict[object, int] = {}
    for row in rows:
        k = key(row)
        if k in first:
            errors.add(row.number, column, f"repeats row {first[k]}")
        else:
            first[k] = row.number
