"""Export speed and memory: all 1,000,000 recipients of a sent task to XLSX, the way the bot
does it when someone presses "Export" (`handlers.exports.deliver_export`: check and count,
stream the rows from SQLite into the streaming XLSX writer on a temporary file, audit, and
upload the file in three streamed steps to the Slack emulator's direct message).

Processes, each spawned fresh:
- setup: migrate, approve a signature and a template, import N numbers with two variables from
  a CSV (`import_file`), create and approve a task, start it (`start_due_tasks` materializes its
  recipients), then give every recipient an outcome as a send would leave it, in one UPDATE:
  90% delivered, 7% failed with an error code and reason, 3% awaiting a receipt;
- the export, alone in its process (its peak RSS is the export's), talking to the Slack
  emulator that runs in this process, which then checks the file: one row per recipient
  plus the header, numbers whole with their `+`, each row's SMS ID and text.
`--writers` also times each XLSX writer candidate alone on the same rows (no database): how
the writer was chosen. `--profile FILE` runs the export under py-spy and summarises it.

    python bench/export.py [--recipients 1000000] [--writers] [--profile /tmp/export.raw]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dispatch import setup_task, summarise_profile, write_csv  # noqa: E402  (the dispatch bench's setup)

SIGNING_SECRET = "bench-signing-secret"
GOAL_SECONDS, GOAL_RSS_MB = 30, 250
# What a send leaves behind, by id: (status, submitted, receipt, error code, reason).
OUTCOMES = """
UPDATE task_recipient SET
  status = CASE WHEN id % 100 < 90 THEN 'delivered' WHEN id % 100 < 97 THEN 'failed' ELSE 'submitted' END,
  submitted_at = datetime('2026-11-23 02:00:00', '+' || (id / 5000) || ' seconds'),
  receipt_at = CASE WHEN id % 100 < 97 THEN datetime('2026-11-23 02:00:00', '+' || (id / 5000 + id % 7) || ' seconds')
               END,
  error_code = CASE WHEN id % 100 BETWEEN 90 AND 96 THEN 'E' || (id % 3) END,
  reason = CASE WHEN id % 100 BETWEEN 90 AND 96 THEN
             CASE id % 3 WHEN 0 THEN 'unreachable' WHEN 1 THEN 'unknown number' ELSE 'blocked by carrier' END END,
  provider_id = 'sim-' || id
WHERE task_id = :task_id
"""


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(database_url: str, csv_path: str) -> dict:
    from sqlalchemy import text

    from storage.engine import make_engine

    result = setup_task(database_url, csv_path, "1763863200.000100")
    started = time.perf_counter()
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(OUTCOMES), {"task_id": result["task_id"]})
    engine.dispose()
    return result | {"outcomes_s": round(time.perf_counter() - started, 2)}


def measure_export(database_url: str, emulator_url: str, task_id: int) -> dict:
    """In its own process: the bot's export path, timed from the click to the file in the DM."""
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.app import utc_now
    from bot.sandbox.emulator.defaults import APPROVER_ID, DEFAULT_BOT_TOKEN
    from bot.settings import load_settings
    from domain.approvers import Actor
    from domain.exports import ExportKind
    from handlers.exports import deliver_export
    from storage.engine import make_engine, make_session_factory
    from storage.uow import SqlUnitOfWork

    settings = load_settings(slack_bot_token=DEFAULT_BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                             slack_api_url=f"{emulator_url}/api/", database_url=database_url,
                             timezone="Asia/Shanghai")
    factory = make_session_factory(make_engine(database_url))
    said: list[str] = []

    async def tell(text: str) -> None:
        said.append(text)

    async def run() -> int:
        client = AsyncWebClient(token=DEFAULT_BOT_TOKEN, base_url=settings.slack_api_url)
        return await deliver_export(client, lambda: SqlUnitOfWork(factory), settings, utc_now,
                                    Actor(APPROVER_ID, is_approver=True), task_id, ExportKind.ALL, tell=tell)

    rss_before = _peak_rss_mb()
    started = time.perf_counter()
    rows = asyncio.run(run())
    return {"seconds": round(time.perf_counter() - started, 2), "rows": rows, "rss_mb": round(_peak_rss_mb(), 1),
            "rss_before_mb": round(rss_before, 1), "said": said}


# --- writer candidates, alone ---------------------------------------------------------------------

HEADER = ["row", "phone", "name", "coupon", "status", "submitted at", "receipt at", "error code", "reason"]


def _rows(count: int):
    for i in range(count):
        failed = i % 100 >= 90
        yield [i + 2, f"+86138{i:08d}", f"N{i}", f"C{i}", "failed" if failed else "delivered",
               "2026-11-23 10:00:01", "2026-11-23 10:00:03", "E1" if failed else None,
               "unreachable" if failed else None]


def measure_writer(name: str, count: int) -> dict:
    path = tempfile.mktemp(suffix=".xlsx")
    started = time.perf_counter()
    if name == "openpyxl write_only":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("all")
        sheet.append(HEADER)
        for row in _rows(count):
            sheet.append(row)
        workbook.save(path)
    elif name == "xlsxwriter constant_memory":
        import xlsxwriter

        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                              "strings_to_formulas": False, "strings_to_urls": False})
        sheet = workbook.add_worksheet("all")
        sheet.write_row(0, 0, HEADER)
        for number, row in enumerate(_rows(count), start=1):
            sheet.write_row(number, 0, row)
        workbook.close()
    else:
        from domain.xlsx_stream import StreamingXlsxWriter

        with open(path, "wb") as target:
            writer = StreamingXlsxWriter(target, sheet_title="all", header=HEADER, text_columns=[1])
            for row in _rows(count):
                writer.append(row)
            writer.close()
    seconds = time.perf_counter() - started
    size = Path(path).stat().st_size
    Path(path).unlink()
    return {"writer": name, "seconds": round(seconds, 2), "rss_mb": round(_peak_rss_mb(), 1),
            "file_mb": round(size / 1e6, 1)}


def in_fresh_process(function, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def _child(arguments: list[str]) -> None:
    """`--child URL EMULATOR TASK`: the export run as a script, so that py-spy can start it."""
    print(json.dumps(measure_export(arguments[0], arguments[1], int(arguments[2]))))


def check_file(workspace, expected_rows: int) -> dict:
    from python_calamine import CalamineWorkbook

    [stored] = [f for f in workspace.files.all() if f.name.endswith(".xlsx")]
    started = time.perf_counter()
    rows = 0
    header = first = None
    for sheet in CalamineWorkbook.from_filelike(io.BytesIO(stored.content)).sheet_names:
        for row in CalamineWorkbook.from_filelike(io.BytesIO(stored.content)).get_sheet_by_name(sheet).iter_rows():
            rows += 1
            if rows == 1:
                header = row
            elif rows == 2:
                first = row
    assert rows - 1 == expected_rows, (rows, expected_rows)
    assert str(first[1]).startswith("+86"), first
    # what each was sent: SMS ID, characters, segments and text, after the outcome columns
    assert header[-4:] == ["SMS ID", "characters", "segments", "text"] and first[-4] and first[-1], (header, first)
    return {"file_mb": round(stored.size / 1e6, 1), "rows_read_back": rows - 1,
            "read_back_s": round(time.perf_counter() - started, 1), "shared_in": stored.channels}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--writers", action="store_true", help="also time each XLSX writer candidate alone")
    parser.add_argument("--writer-rows", type=int, default=1_000_000)
    parser.add_argument("--profile", metavar="RAW_PATH", help="run the export under py-spy (-f raw)")
    options = parser.parse_args()

    from bot.sandbox.emulator import Workspace, start_emulator

    if options.writers:
        for name in ("openpyxl write_only", "xlsxwriter constant_memory", "smsbot streaming writer"):
            try:
                print(f"  writer: {json.dumps(in_fresh_process(measure_writer, name, options.writer_rows))}",
                      flush=True)
            except ImportError as error:
                print(f"  writer: {name} skipped ({error})", flush=True)

    with tempfile.TemporaryDirectory(prefix="smsbot-bench-export-") as workdir:
        csv_path = f"{workdir}/recipients.csv"
        write_csv(csv_path, options.recipients)
        database_url = f"sqlite:///{workdir}/export.db"
        made = in_fresh_process(setup, database_url, csv_path)
        print(f"       setup: {json.dumps(made)}", flush=True)
        workspace = Workspace()
        emulator = start_emulator(workspace)
        try:
            command = [sys.executable, __file__, "--child", database_url, emulator.url, str(made["task_id"])]
            if options.profile:
                command = ["py-spy", "record", "-r", "200", "-f", "raw", "-o", options.profile, "--", *command]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            result = json.loads(next(line for line in reversed(output.splitlines()) if line.startswith("{")))
            print(f"      export: {json.dumps(result)}", flush=True)
            checked = check_file(workspace, made["recipients"])
            print(f"        file: {json.dumps(checked)}", flush=True)
        finally:
            emulator.stop()
        if options.profile:
            summarise_profile(options.profile)

    verdict = "met" if result["seconds"] <= GOAL_SECONDS and result["rss_mb"] <= GOAL_RSS_MB else "NOT met"
    print(f"goal (<= {GOAL_SECONDS} s, <= {GOAL_RSS_MB} MB): {verdict}")
    print(f"bench export: rows={result['rows']} seconds={result['seconds']:.1f} peak_rss_mb={result['rss_mb']:.0f}")


if __name__ == "__main__":
    main()
