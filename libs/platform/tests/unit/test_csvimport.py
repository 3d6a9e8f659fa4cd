"""The CSV reader: headers as a contract, spreadsheet row numbers, every problem listed."""

from __future__ import annotations

import pytest

from talent_platform.csvimport import RowErrors, parse_bool, parse_date, parse_int, read_rows
from talent_platform.errors import ValidationFailed

COLUMNS = ("code", "level", "on")


def test_rows_keep_spreadsheet_numbers_and_skip_blank_lines() -> None:
    rows = read_rows("\ufeffcode,level,on\nA, 3 ,true\n\n,,\nB,5,false\n", COLUMNS, kind="t")
    assert [(r.number, r["code"], r["level"]) for r in rows] == [(2, "A", "3"), (5, "B", "5")]


def test_columns_may_come_in_any_order_but_must_match_the_contract() -> None:
    assert read_rows("on,level,code\ntrue,1,A\n", COLUMNS, kind="t")[0]["code"] == "A"
    with pytest.raises(ValidationFailed) as bad:
        read_rows("code,level,extra,extra\n", COLUMNS, kind="t")
    messages = [e.message for e in bad.value.errors]
    assert "missing column(s): on" in messages
    assert "unknown column(s): extra, extra" in messages
    assert "duplicated column(s): extra" in messages


def test_empty_file_non_utf8_and_ragged_rows() -> None:
    with pytest.raises(ValidationFailed, match="empty"):
        read_rows("", COLUMNS, kind="t")
    with pytest.raises(ValidationFailed, match="not UTF-8"):
        read_rows("code,level,on\n\xe9\n".encode("latin-1"), COLUMNS, kind="t")
    with pytest.raises(ValidationFailed) as ragged:
        read_rows("code,level,on\nA,1\nB,2,true,x\n", COLUMNS, kind="t")
    assert [e.field for e in ragged.value.errors] == ["row 2: row", "row 3: row"]


def test_field_parsers_name_the_row_column_and_value() -> None:
    rows = read_rows("code,level,on\nA,9,maybe\nB,x,true\n", COLUMNS, kind="t")
    errors = RowErrors()
    assert parse_int(rows[0], "level", errors, low=1, high=5) is None
    assert parse_bool(rows[0], "on", errors) is None
    assert parse_int(rows[1], "level", errors, low=1, high=5) is None
    assert parse_date(rows[1], "code", errors) is None
    assert [(e.field, e.message) for e in errors.errors] == [
        ("row 2: level", "9 is outside 1-5"),
        ("row 2: on", "'maybe' is not true or false"),
        ("row 3: level", "'x' is not a whole number"),
        ("row 3: code", "'B' is not a date (YYYY-MM-DD)"),
    ]
    with pytest.raises(ValidationFailed, match="4 problem"):
        errors.raise_if_any("t")


def test_error_list_is_capped_but_the_total_is_reported() -> None:
    errors = RowErrors()
    for n in range(2, 1000):
        errors.add(n, "code", "bad")
    with pytest.raises(
        ValidationFailed, match="998 problem\\(s\\) \\(first 500 listed\\)"
    ) as raised:
        errors.raise_if_any("t")
    assert len(raised.value.errors) == 500
