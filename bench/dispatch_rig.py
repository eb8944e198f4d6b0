"""The orchestration of bench/dispatch.py: the processes of one send (the Slack emulator here,
receipts receivers, the simulator gateway, dispatchers) started and stopped together, the CPU
each of them spends, and a fresh PostgreSQL database for a run."""

from __future__ import annotations

import multiprocessing
import os
import resource
import uuid
from collections.abc import Sequence

from bench.dispatch_processes import run_dispatcher, serve_gateway, serve_receiver

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def in_fresh_process(function, *args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process and all its threads (Linux /proc); None once gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # the name may hold spaces: skip past it
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15)


def machine_busy_s() -> float:
    """CPU seconds every core of the machine spent not idle (all its processes: ours, PostgreSQL's
    and anyone else's on this shared machine)."""
    with open("/proc/stat") as stat:
        user, nice, system, idle, iowait, irq, softirq, steal = map(int, stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


class PostgresCpu:
    """CPU seconds of the PostgreSQL server's processes (on this machine) that work for one
    database: its sessions, as pg_stat_activity lists them (`postgres`), and apart the server's
    own background processes (`postgres-server`: WAL writer, checkpointer..., which work for
    every database on it). Sessions of other databases (other people's tests) are left out.
    Each process counts with the last CPU seen of it, so a session that ended still counts."""

    GROUPS = ("postgres", "postgres-server")

    def __init__(self, database_url: str) -> None:
        from sqlalchemy import create_engine

        from storage.engine import normalize_url

        self._engine = create_engine(normalize_url(database_url))
        self._connection = self._engine.connect()
        self._seen: dict[int, tuple[str, float]] = {}

    def sample(self) -> dict[str, float]:
        from sqlalchemy import text

        rows = self._connection.execute(text(
            "SELECT pid, datname IS NULL FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND (datname IS NULL OR datname = current_database())")).all()
        self._connection.rollback()  # no snapshot held open between samples
        for pid, server in rows:
            seconds = process_cpu_s(pid)
            if seconds is not None:
                self._seen[pid] = ("postgres-server" if server else "postgres", seconds)
        return {group: sum(s for g, s in self._seen.values() if g == group) for group in self.GROUPS}

    def close(self) -> None:
        self._connection.close()
        self._engine.dispose()


class CpuMeter:
    """CPU seconds of named processes, of this process, of PostgreSQL's for the database (when
    it is one) and of the whole machine, read together."""

    def __init__(self, pids: dict[str, int], database_url: str) -> None:
        self._pids = pids
        self._last: dict[str, float] = {}
        self._postgres = PostgresCpu(database_url) if database_url.startswith("postgresql") else None

    def sample(self) -> dict[str, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        sample = {"orchestrator": usage.ru_utime + usage.ru_stime}
        if self._postgres is not None:
            sample.update(self._postgres.sample())
        for name, pid in self._pids.items():
            seconds = process_cpu_s(pid)
            sample[name] = seconds if seconds is not None else self._last.get(name, 0.0)
        sample["machine"] = machine_busy_s()
        self._last = sample
        return sample

    def close(self) -> None:
        if self._postgres is not None:
            self._postgres.close()


class Rig:
    """One send's processes, each spawned fresh. Use: `card()` for each task's thread, the
    tasks set up (elsewhere), `start(...)`, `go()`, then `stop_dispatchers()` and `close()`
    (or leave the `with` block: whatever was started is stopped)."""

    def __init__(self, database_url: str, *, workers: int = 1, receivers: int = 1, rate: float = 0.0) -> None:
        from bot.sandbox.emulator import Workspace, start_emulator

        self.database_url, self.workers, self.receivers, self.rate = database_url, workers, receivers, rate
        self.ctx = multiprocessing.get_context("spawn")
        self.workspace = Workspace()
        self.emulator = start_emulator(self.workspace)
        self._stop, self._go, self._dispatch_stop = self.ctx.Event(), self.ctx.Event(), self.ctx.Event()
        self._urls, self._ready = self.ctx.Queue(), self.ctx.Queue()
        self._dispatcher_results, self._receiver_results = self.ctx.Queue(), self.ctx.Queue()
        self.processes: dict[str, multiprocessing.Process] = {}
        self.gateway_url = ""
        self._calls_before = 0

    def card(self) -> str:
        """A task card posted in the approvals channel, as the bot posts it: its thread's ts."""
        from bot.sandbox.emulator import APPROVALS_CHANNEL_ID

        return self.workspace.post_message(APPROVALS_CHANNEL_ID, self.workspace.bot.user_id, "Send task card").ts

    def _spawn(self, name: str, target, *args) -> None:
        process = self.ctx.Process(target=target, args=args, name=name)
        process.start()
        self.processes[name] = process

    def _urls_of(self, kind: str, count: int) -> list[str]:
        got = sorted(self._urls.get(timeout=60) for _ in range(count))
        assert all(k == kind for k, _i, _u in got), got
        return [url for _k, _i, url in got]

    def start(self, announce: Sequence[int]) -> None:
        """Receivers first (the gateway needs their URLs), then the gateway, then the dispatchers,
        which wait for `go()`. `announce`: the tasks whose start the first dispatcher tells."""
        for i in range(self.receivers):
            self._spawn(f"receiver-{i}", serve_receiver, i, self.database_url, self.emulator.url, self._urls,
                        self._stop, self._receiver_results)
        receipt_urls = [f"{url}/webhooks/sms/simulator" for url in self._urls_of("receiver", self.receivers)]
        self._spawn("gateway", serve_gateway, receipt_urls, self._urls, self._stop)
        self.gateway_url = self._urls_of("gateway", 1)[0]
        for i in range(self.workers):
            self._spawn(f"dispatcher-{i}", run_dispatcher, i, list(announce) if i == 0 else [], self.database_url,
                        self.emulator.url, self.gateway_url, self.rate, self._ready, self._go, self._dispatch_stop,
                        self._dispatcher_results)
        for _ in range(self.workers):
            self._ready.get(timeout=120)
        self.cpu = CpuMeter({name: process.pid for name, process in self.processes.items()}, self.database_url)

    def go(self) -> dict[str, float]:
        """Every dispatcher starts now; the CPU each process had spent so far (to subtract)."""
        self._calls_before = len(self.workspace.calls())
        self._go.set()
        return self.cpu.sample()

    def slack_calls(self) -> list:
        return self.workspace.calls()[self._calls_before:]

    def stop_dispatchers(self) -> list[dict]:
        """Each dispatcher finishes its pass, then reports; in index order."""
        self._dispatch_stop.set()
        outcomes = [self._dispatcher_results.get(timeout=120) for _ in range(self.workers)]
        for i in range(self.workers):
            self.processes[f"dispatcher-{i}"].join(60)
        return sorted(outcomes, key=lambda outcome: outcome["index"])

    def close(self) -> list[dict]:
        """The receivers and the gateway stopped, the emulator too: what each receiver reports."""
        self._stop.set()
        outcomes = [self._receiver_results.get(timeout=60) for _ in range(self.receivers)]
        for process in self.processes.values():
            process.join(60)
        self.emulator.stop()
        self.cpu.close()
        return sorted(outcomes, key=lambda outcome: outcome["index"])

    def died(self) -> list[str]:
        """The processes that ended with an error (or were killed): their rows may be left in flight."""
        return [name for name, process in self.processes.items() if process.exitcode not in (None, 0)]

    def __enter__(self) -> Rig:
        return self

    def __exit__(self, exc_type, *_rest) -> None:
        if exc_type is None:
            return
        for process in self.processes.values():  # ours alone, each by its own handle
            if process.is_alive():
                process.terminate()
                process.join(10)
        self.emulator.stop()
        if hasattr(self, "cpu"):
            self.cpu.close()


def cpu_figures(rig: Rig, before: dict[str, float], after: dict[str, float], seconds: float,
                handled: dict[str, int]) -> list[dict]:
    """Each process's work over `seconds` of wall time: what it handled a second and its CPU
    share (its CPU seconds / wall seconds; 100% = one core busy). `orchestrator`: this process,
    the poller and the Slack emulator; `postgres`, `postgres-server`: see PostgresCpu; `machine`:
    every core of this shared machine; `rest`: the machine less all of those (other people's
    work, the kernel's)."""
    order = ("dispatcher", "receiver", "gateway")  # the sender first, then what answers it
    processes = sorted(rig.processes, key=lambda name: (order.index(name.partition("-")[0]),
                                                         int(name.partition("-")[2] or 0)))
    names = [*processes, *(n for n in ("orchestrator", *PostgresCpu.GROUPS) if n in after)]
    rows = []
    for name in [*names, "machine"]:
        spent = after[name] - before.get(name, 0.0)
        row = {"process": name, "cpu_s": round(spent, 2), "cpu_pct": round(100 * spent / seconds, 1)}
        if name in handled:
            row.update(handled=handled[name], per_s=round(handled[name] / seconds, 1))
        rows.append(row)
    rest = after["machine"] - before["machine"] - sum(after[n] - before.get(n, 0.0) for n in names)
    rows.append({"process": "rest", "cpu_s": round(rest, 2), "cpu_pct": round(100 * rest / seconds, 1)})
    return rows


def handled_by(dispatchers: list[dict], gateway: dict) -> dict[str, int]:
    """What each process handled: a dispatcher its recipients, a receiver the receipts it
    applied, the gateway the messages submitted to it."""
    return {**{f"dispatcher-{d['index']}": d["handled"] for d in dispatchers},
            **{f"receiver-{i}": n for i, n in enumerate(gateway["receipts_by_receiver"])},
            "gateway": gateway["submitted"]}


def format_cpu_table(label: str, rows: list[dict], seconds: float) -> str:
    lines = [f"  [{label}] per process over {seconds:.1f} s (cpu% of one core; the machine has {os.cpu_count()}):"]
    for row in rows:
        work = f"{row['handled']:>10,} {row['per_s']:>10,.0f}/s" if "handled" in row else " " * 23
        lines.append(f"      {row['process']:<16}{work} {row['cpu_s']:>8.1f} cpu s {row['cpu_pct']:>6.1f}%")
    return "\n".join(lines)


class PostgresDatabase:
    """A fresh database on the server of SMSBOT_TEST_DATABASE_URL, dropped afterwards (as tests/databases.py)."""

    def __init__(self) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        from storage.engine import normalize_url

        self.admin_url = normalize_url(os.environ.get("SMSBOT_TEST_DATABASE_URL", DEFAULT_POSTGRES_URL))
        self.name = f"smsbot_bench_{uuid.uuid4().hex[:12]}"
        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.url = make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> str:
        from sqlalchemy import text

        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.url

    def __exit__(self, *exc_info) -> None:
        from sqlalchemy import text

        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()
