"""Recipient import speed: the whole pipeline (parse -> normalise -> dedup -> store on
SQLite) on a 1,000,000-row CSV and a 12 MB XLSX, against the floor (the fastest reader
alone plus one raw executemany) and, on a 100,000-row sample, the naive pipeline
(openpyxl cell by cell, phonenumbers.parse on every row, one ORM object per row).

Every measurement runs in a fresh process, so each peak RSS is that run's own.

    python bench/import_recipients.py [--csv-rows 1000000] [--naive-rows 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import multiprocessing
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import recipient_data  # noqa: E402  (the seeded generator beside this script)

# The product refuses files over 12 MB; a 1M-row CSV with two variable columns is ~31 MB,
# so the pipeline is measured with the size limit lifted and the row limit kept.
BENCH_LIMIT_BYTES = 64 * 1024 * 1024
MAX_ROWS = 1_000_000


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fresh_database(workdir: str) -> str:
    from storage.migrate import upgrade

    url = f"sqlite:///{tempfile.mkdtemp(dir=workdir)}/bench.db"
    upgrade(url)
    return url


def measure_pipeline(path: str, workdir: str) -> dict:
    from domain.phones import PhoneNormalizer
    from domain.recipient_files import Limits
    from domain.use_cases.recipients import ImportSource, import_file
    from storage.engine import make_engine, make_session_factory
    from storage.uow import SqlUnitOfWork

    engine = make_engine(_fresh_database(workdir))
    uow = SqlUnitOfWork(make_session_factory(engine))
    normalizer = PhoneNormalizer("CN")
    started = time.perf_counter()
    data = Path(path).read_bytes()
    summary = import_file(
        uow, data, ImportSource(user_id="U0BENCH001", channel_id="C0BENCH001", kind="file", name=Path(path).name),
        limits=Limits(max_bytes=BENCH_LIMIT_BYTES, max_rows=MAX_ROWS), normalizer=normalizer,
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rss_mb": _peak_rss_mb(), "rows": summary.data_rows,
            "imported": summary.imported_count, "invalid": summary.invalid_count, "duplicates": summary.duplicate_count}


def _raw_insert(rows: list[tuple], workdir: str) -> None:
    connection = sqlite3.connect(Path(tempfile.mkdtemp(dir=workdir)) / "floor.db")
    connection.execute("CREATE TABLE recipient (phone TEXT, name TEXT, coupon TEXT)")
    with connection:
        connection.executemany("INSERT INTO recipient VALUES (?, ?, ?)", rows)
    connection.close()


def measure_floor(path: str, workdir: str) -> dict:
    started = time.perf_counter()
    data = Path(path).read_bytes()
    if path.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1:]
    else:
        from python_calamine import CalamineWorkbook

        rows = list(CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).iter_rows())[1:]
    _raw_insert([tuple(str(value) for value in row) for row in rows], workdir)
    return {"seconds": time.perf_counter() - started, "rss_mb": _peak_rss_mb(), "rows": len(rows)}


def measure_naive(path: str, workdir: str) -> dict:
    from openpyxl import load_workbook

    from domain.phones import normalize_full
    from storage.engine import make_engine, make_session_factory
    from storage.tables import Recipient, RecipientList

    engine = make_engine(_fresh_database(workdir))
    started = time.perf_counter()
    sheet = load_workbook(path, read_only=True, data_only=True).active
    seen: set[str] = set()
    with make_session_factory(engine)() as session:
        recipient_list = RecipientList(created_by="U0BENCH001", channel_id="C0BENCH001", source="file")
        session.add(recipient_list)
        session.flush()
        rows = 0
        for row_number, row in enumerate(sheet.iter_rows(min_row=2), start=2):
            rows += 1
            phone, name, coupon = (cell.value for cell in row)
            result = normalize_full(phone, "CN")
            if result.e164 is None or result.e164 in seen:
                continue
            seen.add(result.e164)
            session.add(Recipient(list_id=recipient_list.id, row_number=row_number, phone=result.e164,
                                  variables=[str(name or ""), str(coupon or "")]))
        session.commit()
    return {"seconds": time.perf_counter() - started, "rss_mb": _peak_rss_mb(), "rows": rows}


def in_fresh_process(function, *args) -> dict:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="smsbot-bench-") as workdir:
        csv_path = f"{workdir}/recipients.csv"
        xlsx_path = f"{workdir}/recipients.xlsx"
        sample_path = f"{workdir}/sample.xlsx"
        recipient_data.write_csv(csv_path, options.csv_rows, options.seed)
        rows_xlsx = recipient_data.write_xlsx(xlsx_path, seed=options.seed)
        # ~29.3 bytes of XLSX a row: a file of about the sample's row count.
        recipient_data.write_xlsx(sample_path, target_bytes=int(options.naive_rows * 29.4), seed=options.seed + 1)
        expected = recipient_data.expected_counts(options.csv_rows, options.seed)

        results = {}
        for label, function, path in [
            ("csv", measure_pipeline, csv_path), ("xlsx", measure_pipeline, xlsx_path),
            ("csv_floor", measure_floor, csv_path), ("xlsx_floor", measure_floor, xlsx_path),
            ("sample", measure_pipeline, sample_path), ("sample_naive", measure_naive, sample_path),
        ]:
            results[label] = in_fresh_process(function, path, workdir)
            print(f"{label:>12}: {json.dumps(results[label])}", flush=True)

    csv_run, xlsx_run = results["csv"], results["xlsx"]
    counts = (csv_run["imported"], csv_run["invalid"], csv_run["duplicates"])
    print(f"csv counts {counts} expected {(expected['valid'], expected['invalid'], expected['duplicate'])}")
    floor_ratio = max(csv_run["seconds"] / results["csv_floor"]["seconds"],
                      xlsx_run["seconds"] / results["xlsx_floor"]["seconds"])
    naive_ratio = results["sample_naive"]["seconds"] / results["sample"]["seconds"]
    peak = max(csv_run["rss_mb"], xlsx_run["rss_mb"])
    print(
        f"bench import_recipients: csv_1m_s={csv_run['seconds']:.2f} xlsx_12mb_s={xlsx_run['seconds']:.2f} "
        f"rows_xlsx={rows_xlsx} floor_ratio={floor_ratio:.2f} naive_ratio={naive_ratio:.1f} peak_rss_mb={peak:.0f}"
    )


if __name__ == "__main__":
    main()
