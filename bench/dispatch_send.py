"""One approved task sent to its end by bench/dispatch.py's processes: timed until the task is
completed and every receipt applied, with what each process handled and the CPU it spent."""

from __future__ import annotations

import collections
import json
import sqlite3
import subprocess
import time

from bench.dispatch_processes import setup_task
from bench.dispatch_rig import Rig, cpu_figures, format_cpu_table, handled_by, in_fresh_process

GRACE_SECONDS = 1.5
STALL_SECONDS = 30.0  # the lease is 2 minutes and nothing here ticks: stuck rows stay stuck
POLL_SECONDS = 0.1


def task_status(engine, task_id: int) -> str:
    from sqlalchemy import text

    with engine.connect() as connection:
        return connection.execute(text("SELECT status FROM task WHERE id = :id"), {"id": task_id}).scalar_one()


def recipient_counts(engine, task_id: int) -> dict:
    from sqlalchemy import text

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status, count(*) FROM task_recipient WHERE task_id = :id "
                                       "GROUP BY status"), {"id": task_id}).all()
    return {status: count for status, count in rows}


class Settling:
    """Done = the task is completed (no recipient pending or in flight) and the gateway has no
    receipt left to post (every one answered 2xx by a receiver, i.e. applied), then confirmed
    unchanged for GRACE_SECONDS. Stuck = nothing changed for STALL_SECONDS. Keeps the CPU
    sample taken when it settled (or last changed, if stuck), to end the CPU window there."""

    def __init__(self, started: float, cpu: dict) -> None:
        self.started, self.sent_at, self.settled_at = started, None, None
        self.last_change, self.last_seen, self.stuck = started, None, False
        self.cpu_at_go = self.cpu_at_change = self.cpu_at_settled = cpu

    def observe(self, now: float, stats: dict, status: str, cpu: dict) -> bool:
        """True once done or stuck."""
        seen = (stats["submitted"], stats["receipts_posted"], status)
        if seen != self.last_seen:
            self.last_change, self.last_seen, self.cpu_at_change = now, seen, cpu
        if status == "completed" and self.sent_at is None:
            self.sent_at = now
        unanswered = stats["receipts_scheduled"] - stats["receipts_posted"] - stats["receipts_dropped"]
        if self.sent_at is not None and unanswered == 0:
            if self.settled_at is None:
                self.settled_at, self.cpu_at_settled = now, cpu
            return now - self.last_change >= GRACE_SECONDS
        self.settled_at = None
        self.stuck = now - self.last_change > STALL_SECONDS
        return self.stuck

    @property
    def wall_s(self) -> float:
        """A stuck run is timed to its last progress (and flagged): the rows left in flight wait
        for their lease to expire and a tick (not run here) to settle them."""
        return (self.settled_at or self.last_change) - self.started

    @property
    def sent_s(self) -> float:
        return (self.sent_at or self.last_change) - self.started

    @property
    def cpu_at_end(self) -> dict:
        return self.cpu_at_settled if self.settled_at is not None else self.cpu_at_change


def wait_until_settled(rig: Rig, engine, task_id: int, label: str, cpu: dict) -> Settling:
    import httpx

    settling = Settling(time.perf_counter(), cpu)
    printed_at = None
    with httpx.Client(timeout=10) as http:
        while True:
            time.sleep(POLL_SECONDS)
            now = time.perf_counter()
            stats = http.get(f"{rig.gateway_url}/bench/stats").json()
            status = task_status(engine, task_id)
            if printed_at is None or now - printed_at >= 10:
                printed_at = now
                print(f"  [{label}] t={now - settling.started:6.1f}s submitted={stats['submitted']:,} "
                      f"receipts_applied={stats['receipts_posted']:,} status={status}", flush=True)
            if settling.observe(now, stats, status, rig.cpu.sample()):
                break
    if settling.stuck:
        print(f"  [{label}] STUCK: nothing changed for {STALL_SECONDS:.0f}s, task {status}; "
              f"counts {recipient_counts(engine, task_id)}", flush=True)
    return settling


def start_profilers(rig: Rig, path: str | None) -> list[subprocess.Popen]:
    """py-spy on the first dispatcher (it exits at the end, so py-spy does), receiver and the gateway."""
    if not path:
        return []
    targets = (("dispatcher-0", path), ("receiver-0", f"{path}.receiver"), ("gateway", f"{path}.gateway"))
    spies = [subprocess.Popen(["py-spy", "record", "-p", str(rig.processes[name].pid), "-f", "raw", "-o", out,
                               "-r", "100", "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for name, out in targets]
    time.sleep(1.0)
    return spies


def stop_profilers(spies: list[subprocess.Popen]) -> None:
    for spy in spies:
        _, err = spy.communicate(timeout=120)
        if spy.returncode:
            print(f"  py-spy: {err.decode()[-500:]}", flush=True)


def copy_sqlite(database_url: str, target: str) -> None:
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as copy:
        source.backup(copy)


def run_dispatch(database_url: str, csv_path: str, workers: int, *, label: str, receivers: int = 1,
                 floor_copy: str | None = None, profile: str | None = None) -> dict:
    """`floor_copy`: where to copy the SQLite database once set up, before any send (the floor)."""
    import httpx

    from storage.engine import make_engine

    with Rig(database_url, workers=workers, receivers=receivers) as rig:
        setup = in_fresh_process(setup_task, database_url, csv_path, rig.card())
        print(f"  [{label}] setup: {json.dumps(setup)}", flush=True)
        if floor_copy is not None:
            copy_sqlite(database_url, floor_copy)
        rig.start(announce=[setup["task_id"]])
        spies = start_profilers(rig, profile)
        engine = make_engine(database_url)
        settling = wait_until_settled(rig, engine, setup["task_id"], label, rig.go())
        calls = rig.slack_calls()
        dispatchers = rig.stop_dispatchers()
        gateway = httpx.get(f"{rig.gateway_url}/bench/stats", params={"full": "1"}, timeout=10).json()
        counts = recipient_counts(engine, setup["task_id"])
        receivers_out = rig.close()
        stop_profilers(spies)
        engine.dispose()
    wall = settling.wall_s
    cpu = cpu_figures(rig, settling.cpu_at_go, settling.cpu_at_end, wall, handled_by(dispatchers, gateway))
    print(format_cpu_table(label, cpu, wall), flush=True)
    return {"label": label, "recipients": setup["recipients"], "workers": workers, "receivers": receivers,
            "wall_s": round(wall, 2), "sent_s": round(settling.sent_s, 2),
            "msgs_per_s": round(setup["recipients"] / wall, 1), "setup": setup, "stuck": settling.stuck,
            **left_in_flight(counts, rig.died()),
            "dispatcher_rss_mb": max(d["rss_mb"] for d in dispatchers), "dispatchers": dispatchers,
            "receiver_rss_mb": max(r["rss_mb"] for r in receivers_out), "receivers_out": receivers_out,
            "slack_calls": len(calls), "slack_by_method": dict(collections.Counter(c.method for c in calls)),
            "counts": counts, "gateway": gateway, "cpu": cpu}


def left_in_flight(counts: dict, died: list[str]) -> dict:
    """Recipients still in flight once every dispatcher has stopped: none should be, unless a
    process died mid-chunk (then its lease and a tick settle them, and they are no stall)."""
    in_flight = counts.get("in_flight", 0)
    return {"in_flight_left": in_flight, "died": died, "stalled": None if died else in_flight}
