"""The openpyxl steps of bench/compare (embedded in its binary and run from
a temporary copy).

  python3 openpyxl_steps.py write ENV.json COLUMNS.json OUT.xlsx
  python3 openpyxl_steps.py read BOOK.xlsx

write reads a secmgr environment file and writes every tab, in the order
and with the columns COLUMNS.json gives, through Workbook(write_only=True):
the values secmgr export writes — text as strings, whole numbers as
numbers, booleans as the text True/False, empty values and the columns an
export leaves empty (Password, ActionType, ActionValue) as no cell.

read opens a workbook with load_workbook(read_only=True) and touches the
value of every cell of every row of every sheet. Read-only mode stops at
the extent a sheet's <dimension> declares, and a streamed export declares
A1 (excelize writes the element before it knows the rows), so read first
calls ws.reset_dimensions(), as openpyxl's documentation advises for such
files: openpyxl then reads to the end of the sheet data.

Each prints one JSON line: sheets, data rows (headers not counted) in all
and per sheet, cells
(read counts them; write reports 0, to keep its loop bare),
and the seconds spent loading the input (load_s) and doing the work
(work_s).
"""

import json
import sys
import time

from openpyxl import Workbook, load_workbook


def converter(column):
    name, kind = column.get("field") or column["name"], column["kind"]
    if kind == "text":
        return lambda row: row.get(name) or None
    if kind == "number":
        return lambda row: row.get(name)
    if kind == "bool":
        return lambda row: "True" if row.get(name) else "False"
    return lambda row: None  # "empty": not exported


def write(env_path, columns_path, out_path):
    start = time.perf_counter()
    with open(columns_path, encoding="utf-8") as f:
        tabs = json.load(f)
    with open(env_path, encoding="utf-8") as f:
        env = json.load(f)
    loaded = time.perf_counter()
    wb = Workbook(write_only=True)
    sheets = rows = 0
    per_sheet = {}
    for tab in tabs:
        ws = wb.create_sheet(tab["name"])
        header = [c["name"] for c in tab["columns"]]
        ws.append(header)
        convert = [converter(c) for c in tab["columns"]]
        data = env.get(tab["name"]) or []
        for row in data:
            ws.append([f(row) for f in convert])
        rows += len(data)
        per_sheet[tab["name"]] = len(data)
        sheets += 1
    wb.save(out_path)
    done = time.perf_counter()
    report(sheets, rows, per_sheet, 0, loaded - start, done - loaded)


def read(path):
    start = time.perf_counter()
    wb = load_workbook(path, read_only=True)
    loaded = time.perf_counter()
    sheets = rows = cells = 0
    per_sheet = {}
    for ws in wb.worksheets:
        ws.reset_dimensions()
        n = 0
        for row in ws.iter_rows():
            for cell in row:
                cell.value
            cells += len(row)
            n += 1
        sheets += 1
        rows += max(0, n - 1)  # the header row
        per_sheet[ws.title] = max(0, n - 1)
    wb.close()
    done = time.perf_counter()
    report(sheets, rows, per_sheet, cells, loaded - start, done - loaded)


def report(sheets, rows, per_sheet, cells, load_s, work_s):
    print(json.dumps({"sheets": sheets, "rows": rows, "per_sheet": per_sheet, "cells": cells,
                      "load_s": round(load_s, 3), "work_s": round(work_s, 3)}))


def main(argv):
    if len(argv) == 5 and argv[1] == "write":
        write(argv[2], argv[3], argv[4])
    elif len(argv) == 3 and argv[1] == "read":
        read(argv[2])
    else:
        sys.exit("usage: openpyxl_steps.py write ENV.json COLUMNS.json OUT.xlsx | read BOOK.xlsx")


if __name__ == "__main__":
    main(sys.argv)
