"""Where an explore run's rows go as they finish, so that a run that stops loses none.

Parquet (``.parquet``): each finished experiment is appended at once to a journal beside the
output (``<output>.journal``, an Arrow IPC stream, one record batch per experiment, read back up
to its last whole batch after a kill); when every experiment has a row, the rows are written,
sorted by experiment, to the Parquet file (row groups of ``ROW_GROUP`` rows, through a temporary
sibling and a rename) and the journal is removed. CSV (``.csv``): each row is appended to the file
itself and flushed; the design's record sits beside it in ``<output>.explore.json``. Either way,
``resume`` reads the finished rows back and the run skips them; a journal or file from another
design or case is refused, never mixed in.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from decide.errors import DecideError

__all__ = ["ResultStore", "ROW_GROUP", "read_results"]

ROW_GROUP = 1000


class ResultStore:
    """Append-only storage of an explore run's rows (see the module's docstring)."""

    def __init__(self, path: str | os.PathLike[str], columns: list[tuple[str, str]], meta: Mapping[str, Any], *,
                 resume: bool = False):
        self.path = Path(path)
        self.columns = columns
        self.meta = dict(meta)
        self.format = "csv" if self.path.suffix.lower() == ".csv" else "parquet"
        if self.path.suffix.lower() not in (".csv", ".parquet", ".pq"):
            raise DecideError(f"{self.path}: the output is a .parquet or a .csv file")
        if not self.path.parent.is_dir():
            raise DecideError(f"{self.path}: no such folder {self.path.parent}")
        self.rows: list[dict[str, Any]] = []
        self._writer = self._sink = self._csv = None
        if self.format == "parquet":
            self.journal = self.path.with_name(self.path.name + ".journal")
            self._open_parquet(resume)
        else:
            self.record = self.path.with_name(self.path.name + ".explore.json")
            self._open_csv(resume)

    # ------------------------------------------------------------------ state

    @property
    def finished(self) -> set[int]:
        return {int(r["experiment"]) for r in self.rows}

    def _check_meta(self, found: Mapping[str, Any] | None, where: Path) -> None:
        if found is None:
            raise DecideError(f"{where}: not written by decide explore; remove it or choose another output")
        for key in ("design", "case"):
            if found.get(key) != self.meta.get(key):
                raise DecideError(f"{where} holds the results of another {key} ({found.get(key)} there, "
                                  f"{self.meta.get(key)} now); remove it or choose another output to start afresh")

    def _refuse_existing(self, what: Path) -> None:
        raise DecideError(f"{what} exists; pass --resume (resume=True) to continue that run, or remove it")

    # ------------------------------------------------------------------ parquet

    def _schema(self):
        import pyarrow as pa

        types = {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}
        return pa.schema([(name, types[kind]) for name, kind in self.columns],
                         metadata={b"decide.explore": json.dumps(self.meta, default=str).encode()})

    def _open_parquet(self, resume: bool) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.path.exists():
            if not resume:
                self._refuse_existing(self.path)
            try:
                table = pq.read_table(self.path)
            except (OSError, pa.ArrowException) as exc:
                raise DecideError(f"{self.path}: cannot read it as Parquet ({exc})") from None
            meta = (table.schema.metadata or {}).get(b"decide.explore")
            self._check_meta(json.loads(meta) if meta else None, self.path)
            self.rows = table.to_pylist()
        if self.journal.exists():
            if not resume:
                self._refuse_existing(self.journal)
            meta, rows = _read_journal(self.journal)
            self._check_meta(meta, self.journal)
            known = self.finished
            self.rows += [r for r in rows if int(r["experiment"]) not in known]
        # A fresh journal holding every row so far, then one batch per finished experiment.
        tmp = self.journal.with_name(self.journal.name + ".tmp")
        sink = pa.OSFile(str(tmp), "wb")
        writer = pa.ipc.new_stream(sink, self._schema())
        if self.rows:
            writer.write_batch(pa.RecordBatch.from_pylist(self.rows, schema=self._schema()))
        sink.flush()
        os.replace(tmp, self.journal)
        self._sink, self._writer = sink, writer

    # ------------------------------------------------------------------ csv

    def _open_csv(self, resume: bool) -> None:
        names = [name for name, _ in self.columns]
        if self.path.exists():
            if not resume:
                self._refuse_existing(self.path)
            meta = json.loads(self.record.read_text()) if self.record.exists() else None
            self._check_meta(meta, self.record if meta is not None else self.path)
            self.rows = _read_csv(self.path, self.columns)
        else:
            self.record.write_text(json.dumps(self.meta, indent=1, default=str))
            with open(self.path, "w", newline="") as f:
                csv.writer(f).writerow(names)
        self._csv = open(self.path, "a", newline="")  # closed in close()

    # ------------------------------------------------------------------ writing

    def append(self, row: Mapping[str, Any]) -> None:
        """Store one finished experiment's row now (written and flushed before returning)."""
        row = {name: _cell(row.get(name), kind) for name, kind in self.columns}
        self.rows.append(row)
        if self.format == "parquet":
            import pyarrow as pa

            self._writer.write_batch(pa.RecordBatch.from_pylist([row], schema=self._schema()))
            self._sink.flush()
        else:
            csv.writer(self._csv).writerow([_csv_text(v) for v in row.values()])
            self._csv.flush()

    def close(self, *, complete: bool) -> None:
        """Close the journal; when ``complete``, write the Parquet file and remove the journal."""
        if self._writer is not None:
            self._writer.close()
            self._sink.close()
            self._writer = None
            if complete:
                import pyarrow as pa
                import pyarrow.parquet as pq

                table = pa.Table.from_pylist(sorted(self.rows, key=lambda r: r["experiment"]), schema=self._schema())
                tmp = self.path.with_name(f".{self.path.name}.tmp")
                pq.write_table(table, tmp, row_group_size=ROW_GROUP)
                os.replace(tmp, self.path)
                self.journal.unlink()
            elif not self.rows:  # nothing finished (e.g. the scheduler was unreachable): leave nothing behind
                self.journal.unlink(missing_ok=True)
        if self._csv is not None:
            self._csv.close()
            self._csv = None
            if not complete and not self.rows:
                self.path.unlink(missing_ok=True)
                self.record.unlink(missing_ok=True)

    def frame(self):
        """The rows so far as a DataFrame sorted by experiment, columns in order."""
        import pandas as pd

        frame = pd.DataFrame(self.rows, columns=[name for name, _ in self.columns])
        return frame.sort_values("experiment", kind="stable").reset_index(drop=True)


def _csv_text(value: Any) -> Any:
    """A cell as CSV text: floats in full (repr round-trips), NaN as an empty cell."""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return value


def _cell(value: Any, kind: str) -> Any:
    if kind == "int":
        return int(value)
    if kind == "float":
        return math.nan if value is None or value == "" else float(value)
    return "" if value is None else str(value)


def _read_journal(path: Path) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The design record and every whole batch of a journal (a kill may cut the last one)."""
    import pyarrow as pa

    rows: list[dict[str, Any]] = []
    meta = None
    try:
        reader = pa.ipc.open_stream(pa.memory_map(str(path)))
    except (OSError, pa.ArrowException):
        return None, rows
    raw = (reader.schema.metadata or {}).get(b"decide.explore")
    meta = json.loads(raw) if raw else None
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except (OSError, pa.ArrowException):  # a batch cut short by a kill: the rows before it stand
            break
        rows += batch.to_pylist()
    return meta, rows


def _read_csv(path: Path, columns: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Rows of a CSV results file; a last line cut short by a kill is dropped (and cut off the file)."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as f:
            f.truncate(data.rfind(b"\n") + 1)
    names = [name for name, _ in columns]
    rows = []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != names:
            raise DecideError(f"{path}: its columns differ from this design's; remove it or choose another output")
        for record in reader:
            if len(record) != len(names):
                continue
            rows.append({name: _cell(value, kind) for (name, kind), value in zip(columns, record)})
    return rows


def read_results(path: str | os.PathLike[str]):
    """An explore results file (Parquet or CSV) as a DataFrame, with its design record in ``attrs``."""
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
        record = path.with_name(path.name + ".explore.json")
        frame.attrs["explore"] = json.loads(record.read_text()) if record.exists() else {}
        return frame
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    frame = table.to_pandas()
    raw = (table.schema.metadata or {}).get(b"decide.explore")
    frame.attrs["explore"] = json.loads(raw) if raw else {}
    return frame
