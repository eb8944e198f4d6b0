"""Dispatch speed: one approved task of N recipients sent end to end through the simulator
gateway, with delivery receipts coming back to the bot's webhook and live progress in a
Slack thread, against the floor (the same row writes done directly in SQLite).

Processes, each spawned fresh (bench/dispatch_processes.py; started by bench/dispatch_rig.py):
- setup: migrate, approve a signature and a text template, import N numbers from a CSV,
  create and approve a task, start it (`start_due_tasks` materializes its recipients);
- the simulator gateway (uvicorn; receipts on: deliver 0.9, fail 0.07, silent 0.03), each
  batch of receipts posted to the next receiver in turn;
- `--receivers` receipts receivers: the bot's own web app (`compose` with the webhooks alone),
  whose `/webhooks/sms/simulator` verifies and applies receipts to the same database;
- one or more dispatchers (`bot.dispatcher.Dispatcher`, distinct owners), each with the
  real threads' notifier (`ProgressNotifier`, which tells the thread until the last receipt)
  talking to the Slack emulator, which runs in this process and counts the Web API calls.
Done = the task is completed (no recipient pending or in flight) and the gateway has no
receipt left to post (every scheduled receipt was answered 2xx by the webhook, i.e. applied),
then confirmed unchanged for a grace period (bench/dispatch_send.py). Each run prints what
every process handled a second and its CPU share (CPU seconds / wall seconds, from /proc),
and the recipients left in flight once its dispatchers stopped (`stalled`).

Two checks follow (bench/dispatch_checks.py): the shared rate (`--rate` R for `--rate-seconds`
with 1, 2 and 4 dispatchers on PostgreSQL: the gateway's arrival rate after the bucket's first
second against R, `rate_error_pct` the worst) and fairness (a `--fair-large` task and a
`--fair-small` one started together on SQLite: `small_task_s` until the small one is completed).

    python bench/dispatch.py [--recipients 1000000] [--skip-sqlite] [--receivers 1]
                             [--pg-recipients 100000] [--skip-pg] [--workers 1,2,4]
                             [--rate 200 --rate-seconds 60 --rate-workers 1,2,4] [--skip-rate]
                             [--fair-large 1000000 --fair-small 50] [--skip-fair]
                             [--profile /tmp/dispatch.raw --profile-recipients 200000]

It ends with approval to first submission over 20 tasks (bench/start_latency.py, which also
runs alone, and on PostgreSQL with --postgres), p50 and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dispatch_checks import check_fairness, check_rate, rate_check_rows  # noqa: E402
from bench.dispatch_processes import peak_rss_mb  # noqa: E402
from bench.dispatch_rig import PostgresDatabase, in_fresh_process  # noqa: E402  (start_latency imports it here)
from bench.dispatch_send import run_dispatch  # noqa: E402


def write_csv(path: str, rows: int, first: int = 13800000000) -> None:
    """Distinct valid mainland mobiles from `first` on, with a `name` column."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("phone,name\n")
        out.writelines(f"{first + i},N{i}\n" for i in range(rows))


# --- the floor: the same writes, straight into SQLite ------------------------------------------

FLOOR_CLAIM = (
    "UPDATE task_recipient SET status = 'in_flight', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1 "
    "WHERE id IN (SELECT id FROM task_recipient WHERE task_id = ? AND status = 'pending' "
    "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?) "
    "RETURNING id, client_ref, phone, variables, attempts"
)
FLOOR_RECORD = (
    "UPDATE task_recipient SET status = 'submitted', provider_id = ?, error_code = NULL, reason = NULL, "
    "next_attempt_at = NULL, fell_back = 0, submitted_at = ?, lease_owner = NULL, lease_expires_at = NULL "
    "WHERE id = ? AND status = 'in_flight'"
)
FLOOR_RECEIPT = (
    "UPDATE task_recipient SET status = ?, receipt_at = ?, error_code = ?, reason = ?, "
    "provider_id = coalesce(provider_id, ?), lease_owner = NULL, lease_expires_at = NULL "
    "WHERE client_ref = ? AND (status IN ('in_flight', 'submitted') "
    "OR (status = 'failed' AND reason = 'outcome unknown after interruption'))"
)


def measure_floor(path: str, task_id: int, chunk: int) -> dict:
    """Claims as UPDATE ... RETURNING in chunks, results and receipts as executemany, one
    commit per step (like the bot: claim committed before the send, outcome before the next
    claim, receipts in their own transactions): no HTTP, no objects, no per-row work."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "busy_timeout=5000", "foreign_keys=ON", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    stamp, lease = "2026-01-01 00:00:00.000000", "2026-01-01 00:02:00.000000"
    started = time.perf_counter()
    total = 0
    while True:
        connection.execute("BEGIN IMMEDIATE")
        rows = connection.execute(FLOOR_CLAIM, ("floor", lease, task_id, stamp, chunk)).fetchall()
        connection.execute("COMMIT")
        if not rows:
            break
        total += len(rows)
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(FLOOR_RECORD, [(f"sim_{row[0]:032x}", stamp, row[0]) for row in rows])
        connection.execute("COMMIT")
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(FLOOR_RECEIPT, [
            ("delivered" if row[0] % 100 < 90 else "failed", stamp, None if row[0] % 100 < 90 else "UNDELIVERABLE",
             None, f"sim_{row[0]:032x}", row[1]) for row in rows if row[0] % 100 < 97])
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    counts = dict(connection.execute("SELECT status, count(*) FROM task_recipient WHERE task_id = ? GROUP BY status",
                                     (task_id,)).fetchall())
    connection.close()
    return {"seconds": round(seconds, 2), "rows": total, "counts": counts, "rss_mb": round(peak_rss_mb(), 1)}


# --- profile summary ------------------------------------------------------------------------------

def summarise_profile(path: str, top: int = 15) -> None:
    """py-spy's raw output: one collapsed stack a line, `frame;frame;... count`."""
    own, inclusive, total = collections.Counter(), collections.Counter(), 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        count = int(count)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    print(f"  profile: {total} samples (active threads only)")
    print("  top self:")
    for frame, count in own.most_common(top):
        print(f"    {100 * count / total:5.1f}%  {frame}")
    print("  top inclusive (project code):")
    ours = [(f, c) for f, c in inclusive.most_common() if any(p in f for p in ("bot/", "domain/", "storage/",
                                                                                 "handlers/"))]
    for frame, count in ours[:top]:
        print(f"    {100 * count / total:5.1f}%  {frame}")


# --- main -------------------------------------------------------------------------------------------

def _brief(result: dict) -> str:
    keys = ("recipients", "workers", "receivers", "stuck", "stalled", "died", "wall_s", "sent_s", "msgs_per_s",
            "dispatcher_rss_mb", "receiver_rss_mb", "slack_calls", "slack_by_method", "counts")
    extra = {k: result["gateway"].get(k) for k in ("submitted", "max_per_ref", "receipts_posted", "receipts_dropped",
                                                    "receipt_post_failures", "rss_mb")}
    return json.dumps({**{k: result[k] for k in keys}, "gateway": extra, "dispatchers": result["dispatchers"]})


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--pg-recipients", type=int, default=100_000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--workers", default="1,2,4",
                        help="dispatcher processes of the PostgreSQL runs, comma-separated (on more cores: 1,2,4,8)")
    parser.add_argument("--receivers", type=int, default=1,
                        help="receipts receivers (the bot's web app), the gateway's receipt posts spread over them")
    parser.add_argument("--skip-sqlite", action="store_true", help="no SQLite send and no floor (quick tries)")
    parser.add_argument("--rate", type=float, default=200.0,
                        help="the shared-rate check: the account's rate R (SMSBOT_SEND_RATE), messages a second")
    parser.add_argument("--rate-seconds", type=float, default=60.0, help="its measured window, after the first second")
    parser.add_argument("--rate-workers", default="1,2,4",
                        help="its dispatcher processes on PostgreSQL, comma-separated")
    parser.add_argument("--skip-rate", action="store_true")
    parser.add_argument("--fair-large", type=int, default=1_000_000,
                        help="the fairness check: the large task's recipients (SQLite)")
    parser.add_argument("--fair-small", type=int, default=50, help="the small task's, started with the large one")
    parser.add_argument("--skip-fair", action="store_true")
    parser.add_argument("--profile", metavar="RAW_PATH",
                        help="also profile a dispatcher with py-spy (-f raw) in an extra SQLite run")
    parser.add_argument("--profile-recipients", type=int, default=200_000)
    parser.add_argument("--profile-on", choices=("sqlite", "postgresql"), default="sqlite")
    return parser.parse_args()


def run_sqlite(options, workdir: str) -> tuple[dict, dict]:
    """The SQLite send, then the floor on a copy of its database taken before the send."""
    from bot.dispatcher import CHUNK

    csv_path, floor_path = f"{workdir}/recipients.csv", f"{workdir}/floor.db"
    write_csv(csv_path, options.recipients)
    sqlite_run = run_dispatch(f"sqlite:///{workdir}/sqlite.db", csv_path, 1, label="sqlite",
                              receivers=options.receivers, floor_copy=floor_path)
    print(f"      sqlite: {_brief(sqlite_run)}", flush=True)
    floor = in_fresh_process(measure_floor, floor_path, sqlite_run["setup"]["task_id"], CHUNK)
    print(f"       floor: {json.dumps(floor)}", flush=True)
    for suffix in ("", "-wal", "-shm"):
        for name in ("sqlite.db", "floor.db"):
            Path(f"{workdir}/{name}{suffix}").unlink(missing_ok=True)
    return sqlite_run, floor


def run_profile(options, workdir: str) -> None:
    profile_csv = f"{workdir}/profile.csv"
    write_csv(profile_csv, options.profile_recipients)
    if options.profile_on == "sqlite":
        profiled = run_dispatch(f"sqlite:///{workdir}/profile.db", profile_csv, 1, label="profile",
                                receivers=options.receivers, profile=options.profile)
    else:
        with PostgresDatabase() as url:
            profiled = run_dispatch(url, profile_csv, 1, label="profile", receivers=options.receivers,
                                    profile=options.profile)
    print(f"     profile: {_brief(profiled)}", flush=True)
    for title, suffix in (("dispatcher process", ""), ("first receiver process (receipts webhook)", ".receiver"),
                          ("simulator gateway process", ".gateway")):
        print(f"  {title}:")
        summarise_profile(f"{options.profile}{suffix}")


def run_postgres(options, workdir: str) -> dict[int, dict]:
    """One fresh database per worker count, its deadlocks counted."""
    from storage.engine import deadlocks

    pg_csv, pg = f"{workdir}/pg.csv", {}
    write_csv(pg_csv, options.pg_recipients)
    for workers in _counts(options.workers):
        with PostgresDatabase() as url:
            pg[workers] = run_dispatch(url, pg_csv, workers, label=f"pg-{workers}w", receivers=options.receivers)
            pg[workers]["deadlocks"] = deadlocks(url)
        print(f"   pg {workers} worker{'s' if workers > 1 else ''}: {_brief(pg[workers])}, "
              f"{pg[workers]['deadlocks']} deadlocks", flush=True)
    return pg


def run_rate(options, workdir: str) -> dict:
    csv_path = f"{workdir}/rate.csv"
    write_csv(csv_path, rate_check_rows(options.rate, options.rate_seconds))
    return check_rate(csv_path, rate=options.rate, window_s=options.rate_seconds, receivers=options.receivers,
                      worker_counts=_counts(options.rate_workers))


def run_fairness(options, workdir: str) -> dict:
    large_csv, small_csv = f"{workdir}/fair-large.csv", f"{workdir}/fair-small.csv"
    write_csv(large_csv, options.fair_large)
    write_csv(small_csv, options.fair_small, first=13900000000)  # numbers of their own
    fair = check_fairness(workdir, large_csv, small_csv, receivers=options.receivers)
    print(f"  fairness: {json.dumps(fair)}", flush=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{workdir}/fair.db{suffix}").unlink(missing_ok=True)
    return fair


def stalled_figure(runs: list[dict]) -> str:
    """Recipients left in flight after the runs whose processes all lived (by run when any);
    a run where one died is named apart: its rows wait for their lease, no stall."""
    left = {run["label"]: run["stalled"] for run in runs if run["stalled"] is not None}
    died = [run["label"] for run in runs if run["died"]]
    total = str(sum(left.values()))
    if any(left.values()):
        total += "(" + ",".join(f"{label}:{n}" for label, n in left.items() if n) + ")"
    return total + (f"(died:{','.join(died)})" if died else "")


def figures_of(sqlite_run: dict | None, floor: dict | None, pg: dict[int, dict], worker_counts: list[int],
               start: dict, rate: dict | None, fair: dict | None) -> dict[str, str]:
    """The last line's keys, in the issue's order, then the extra ones; a part skipped says so."""
    def seconds(run: dict) -> str:  # a stuck run's time is to its last progress
        return f"{run['wall_s']:.1f}" + ("*" if run["stuck"] else "")

    def of(run: dict | None, figure) -> str:
        return "skipped" if run is None else figure(run)

    runs = [run for run in (sqlite_run, *pg.values(), *(rate or {}).get("runs", []), fair) if run is not None]
    return {
        f"sqlite_{_n(sqlite_run['recipients']) if sqlite_run else '1m'}_s": of(sqlite_run, seconds),
        "floor_s": of(floor, lambda f: f"{f['seconds']:.1f}"),
        "first_submit_p95_s": f"{start['first_submit_p95_s']:.3f}",
        "rate_error_pct": of(rate, lambda r: "none" if r["rate_error_pct"] is None else f"{r['rate_error_pct']:.2f}"),
        "small_task_s": of(fair, lambda f: "none" if f["small_task_s"] is None else f"{f['small_task_s']:.2f}"),
        **{f"pg_{workers}w_s": seconds(pg[workers]) if workers in pg else "skipped" for workers in worker_counts},
        "deadlocks": str(sum(run["deadlocks"] for run in pg.values())) if pg else "skipped",
        "stalled": stalled_figure(runs),
        "peak_rss_mb": of(sqlite_run, lambda r: f"{r['dispatcher_rss_mb']:.0f}"),
        "slack_calls": of(sqlite_run, lambda r: str(r["slack_calls"])),
        "first_submit_p50_s": f"{start['first_submit_p50_s']:.3f}",
        "msgs_per_s": of(sqlite_run, lambda r: f"{r['msgs_per_s']:.0f}"),
        # bounded by the send's duration (one edit every 3 s at most), not by its recipients
        "slack_calls_per_min": of(sqlite_run, lambda r: f"{r['slack_calls'] / (r['wall_s'] / 60):.1f}"),
        "rate_errors_pct": of(rate, lambda r: ",".join(f"{run['workers']}w:{run['error_pct']}" for run in r["runs"])),
    }


def main() -> None:
    options = parse_options()
    sqlite_run = floor = rate = fair = None
    with tempfile.TemporaryDirectory(prefix="smsbot-bench-dispatch-") as workdir:
        if not options.skip_sqlite:
            sqlite_run, floor = run_sqlite(options, workdir)
        if options.profile:
            run_profile(options, workdir)
        pg = {} if options.skip_pg else run_postgres(options, workdir)
        if not options.skip_rate:
            rate = run_rate(options, workdir)
        if not options.skip_fair:
            fair = run_fairness(options, workdir)
        shutil.rmtree(workdir, ignore_errors=True)
    # Approval to first submission, the tick an hour away (bench/start_latency.py).
    from bench.start_latency import measure as measure_start

    start = asyncio.run(measure_start(20, None))
    print(f"  approval -> first submission (sqlite, 20 tasks): {json.dumps(start)}", flush=True)
    figures = figures_of(sqlite_run, floor, pg, _counts(options.workers), start, rate, fair)
    figures.update(receivers=str(options.receivers), rate=f"{options.rate:g}")
    if sqlite_run:
        print(f"floor ratio (sqlite end-to-end / floor): {sqlite_run['wall_s'] / floor['seconds']:.1f}")
    print("bench dispatch: " + " ".join(f"{k}={v}" for k, v in figures.items()))


def _counts(listed: str) -> list[int]:
    """`1,2,4` -> [1, 2, 4]"""
    return [int(n) for n in listed.split(",")]


def _n(count: int) -> str:
    if count >= 1_000_000 and count % 1_000_000 == 0:
        return f"{count // 1_000_000}m"
    if count >= 1000 and count % 1000 == 0:
        return f"{count // 1000}k"
    return str(count)


if __name__ == "__main__":
    main()
