"""Two checks of bench/dispatch.py beside the full sends:

- the shared rate: dispatcher processes on one PostgreSQL database, all at the account's rate R
  (SMSBOT_SEND_RATE; one token bucket in the `send_rate` row every process takes from), on one
  task larger than the window needs; the arrival rate the gateway measures against R;
- fairness: a large task and a small one started together; how long until the small one is done.

Both stop their processes once measured, the large sends unfinished."""

from __future__ import annotations

import time

import httpx

from bench.dispatch_processes import setup_task, setup_tasks
from bench.dispatch_rig import PostgresDatabase, Rig, cpu_figures, format_cpu_table, handled_by, in_fresh_process
from bench.dispatch_send import left_in_flight, recipient_counts, task_status

BURST_SECONDS = 1.0  # the bucket starts full: its first second's worth goes at once
FAIR_POLL_SECONDS = 0.05
FAIR_TIMEOUT_SECONDS = 300.0


# --- the shared rate ----------------------------------------------------------------------------

def rate_check_rows(rate: float, seconds: float) -> int:
    """Recipients enough for the burst, the window and some slack: the task never runs dry in it."""
    return int(rate * (seconds + BURST_SECONDS + 10))


def arrival_rate(arrivals: list[list[float]], window_s: float) -> dict:
    """Messages a second at the gateway over the window that starts BURST_SECONDS after the first
    batch arrived: the batches from the first one in the window to the last one in it, over the
    time between those two (the last one's messages excluded: they close the interval). Exact
    for batches evenly spaced, whatever their phase against the window's edges."""
    arrivals = sorted(arrivals)
    first = arrivals[0][0]
    inside = [(at, size) for at, size in arrivals if first + BURST_SECONDS <= at <= first + BURST_SECONDS + window_s]
    if len(inside) < 2:
        return {"measured_per_s": None, "batches": len(inside), "messages": sum(s for _a, s in inside)}
    span = inside[-1][0] - inside[0][0]
    messages = sum(size for _at, size in inside[:-1])
    burst = sum(size for at, size in arrivals if at < first + BURST_SECONDS)
    return {"measured_per_s": round(messages / span, 2), "span_s": round(span, 2), "batches": len(inside),
            "messages": messages, "first_second": burst}


def _wait_for_window(rig: Rig, http: httpx.Client, window_s: float, label: str) -> None:
    """Until the gateway has had its first batch BURST_SECONDS + `window_s` ago (its own clock)."""
    while not (arrivals := http.get(f"{rig.gateway_url}/bench/stats", params={"arrivals": "1"}).json()["arrivals"]):
        time.sleep(0.2)
    ends_at = arrivals[0][0] + BURST_SECONDS + window_s + 0.2
    while (left := ends_at - time.time()) > 0:
        time.sleep(min(left, 10.0))
        submitted = http.get(f"{rig.gateway_url}/bench/stats").json()["submitted"]
        print(f"  [{label}] {max(left - 10, 0):5.1f} s to go, submitted={submitted:,}", flush=True)


def run_rate(database_url: str, csv_path: str, workers: int, *, rate: float, window_s: float,
             receivers: int, label: str) -> dict:
    """One task, `workers` dispatchers at `rate`: the gateway's arrival rate over the window."""
    from storage.engine import make_engine

    with Rig(database_url, workers=workers, receivers=receivers, rate=rate) as rig, httpx.Client(timeout=10) as http:
        setup = in_fresh_process(setup_task, database_url, csv_path, rig.card())
        rig.start(announce=[setup["task_id"]])
        started, cpu_at_go = time.perf_counter(), rig.go()
        _wait_for_window(rig, http, window_s, label)
        cpu_at_end, wall = rig.cpu.sample(), time.perf_counter() - started
        arrivals = http.get(f"{rig.gateway_url}/bench/stats", params={"arrivals": "1"}).json()["arrivals"]
        dispatchers = rig.stop_dispatchers()
        gateway = http.get(f"{rig.gateway_url}/bench/stats").json()
        engine = make_engine(database_url)
        counts = recipient_counts(engine, setup["task_id"])
        engine.dispose()
        rig.close()
    measured = arrival_rate(arrivals, window_s)
    error = None if measured["measured_per_s"] is None else 100 * (measured["measured_per_s"] - rate) / rate
    cpu = cpu_figures(rig, cpu_at_go, cpu_at_end, wall, handled_by(dispatchers, gateway))
    print(format_cpu_table(label, cpu, wall), flush=True)
    return {"label": label, "workers": workers, "rate": rate, **measured,
            "error_pct": None if error is None else round(error, 2), "recipients": setup["recipients"],
            "handled": [d["handled"] for d in dispatchers], "passes": [d["passes"] for d in dispatchers],
            **left_in_flight(counts, rig.died()), "cpu": cpu}


def check_rate(csv_path: str, *, rate: float, window_s: float, worker_counts: list[int], receivers: int) -> dict:
    """Each worker count on a fresh PostgreSQL database; `rate_error_pct`: the worst |error|."""
    runs = []
    for workers in worker_counts:
        with PostgresDatabase() as url:
            runs.append(run_rate(url, csv_path, workers, rate=rate, window_s=window_s, receivers=receivers,
                                 label=f"rate-{workers}w"))
        brief = {k: v for k, v in runs[-1].items() if k != "cpu"}
        print(f"  rate {rate:g}/s, {workers} dispatcher{'s' if workers > 1 else ''}: {brief}", flush=True)
    errors = [abs(run["error_pct"]) for run in runs if run["error_pct"] is not None]
    worst = round(max(errors), 2) if len(errors) == len(runs) and runs else None
    return {"rate_error_pct": worst, "runs": runs}


# --- fairness -------------------------------------------------------------------------------------

def _until_small_done(rig: Rig, engine, small_id: int, started: float) -> dict:
    """Seconds until every small-task recipient has gone out (none pending or in flight), and
    until the task is completed (what its requester sees); None if not within the timeout."""
    submitted_s = completed_s = None
    while completed_s is None and time.perf_counter() - started < FAIR_TIMEOUT_SECONDS:
        time.sleep(FAIR_POLL_SECONDS)
        now = time.perf_counter() - started
        counts = recipient_counts(engine, small_id)
        if submitted_s is None and counts and not counts.get("pending") and not counts.get("in_flight"):
            submitted_s = now
        if task_status(engine, small_id) == "completed":
            completed_s = now
    return {"small_submitted_s": None if submitted_s is None else round(submitted_s, 3),
            "small_task_s": None if completed_s is None else round(completed_s, 3)}


def check_fairness(workdir: str, large_csv: str, small_csv: str, *, receivers: int) -> dict:
    """The large task made first (the oldest sends first when turns are not taken), then the
    small one; one dispatcher on SQLite; both started by the same `start_due_tasks`."""
    from storage.engine import make_engine

    url = f"sqlite:///{workdir}/fair.db"
    with Rig(url, workers=1, receivers=receivers) as rig, httpx.Client(timeout=10) as http:
        large, small = in_fresh_process(setup_tasks, url, [(large_csv, rig.card()), (small_csv, rig.card())])
        print(f"  [fair] setup: large {large}, small {small}", flush=True)
        rig.start(announce=[large["task_id"], small["task_id"]])
        engine = make_engine(url)
        started, _cpu = time.perf_counter(), rig.go()
        timing = _until_small_done(rig, engine, small["task_id"], started)
        submitted_by_then = http.get(f"{rig.gateway_url}/bench/stats").json()["submitted"]
        rig.stop_dispatchers()
        left = [recipient_counts(engine, task["task_id"]) for task in (large, small)]
        engine.dispose()
        rig.close()
    in_flight = {"in_flight": sum(counts.get("in_flight", 0) for counts in left)}
    return {"label": "fair", **timing, "large": large["recipients"], "small": small["recipients"],
            "submitted_by_then": submitted_by_then, "large_counts_at_stop": left[0],
            "small_counts": left[1], **left_in_flight(in_flight, rig.died())}
