"""Python peers of the qtasync benchmark.

Measures the same workloads as the Rust bench on three Python event loops:

* ``pyside6-qtasyncio``: PySide6's QtAsyncio (asyncio API on Qt's event loop),
* ``qasync``: qasync's QEventLoop (binding chosen with ``--qasync-binding``,
  PyQt6 by default),
* ``asyncio``: the standard library's own loop, for reference.

The workloads, sizes, metric names and units follow the Rust bench
(bench/src/workload.rs), so its ``--merge`` can put this script's JSON beside
its own peers.

Every (peer, workload) pair runs in its own subprocess with a fresh event loop,
so one that crashes or hangs is reported as such and the run goes on. (PySide6
6.12.0 on Python 3.11 drops a reference to None on every call of a void Qt
method such as QTimer.singleShot, which QtAsyncio makes for every callback; after
a few thousand the interpreter aborts with "Fatal Python error: none_dealloc".
PySide6 6.11.3 does not, and from Python 3.12 on None is immortal.)

Setup and run (Python 3.11)::

    pip install pyside6 qasync pyqt6
    python bench/python/bench.py --scale 0.01              # quick smoke run
    python bench/python/bench.py --json /tmp/python-bench.json > /tmp/python-bench.md

Options: ``--scale F`` multiplies every count, ``--timeout S`` bounds each
subprocess (default 120 s), ``--peers a,b`` and ``--workloads a,b`` select a
subset, ``--json FILE`` also writes the results as a JSON list of
``{"workload", "peer", "value", "unit", "note"}`` objects. A markdown table goes
to stdout, progress to stderr. ``QT_QPA_PLATFORM`` defaults to ``offscreen``.

Internally the parent runs ``bench.py --worker PEER WORKLOAD --scale F`` for each
pair; the worker prints one ``RESULT <json>`` line as soon as its measurement is
done, so a crash while the loop or interpreter shuts down afterwards keeps the
number (with a note).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

PEERS = ("pyside6-qtasyncio", "qasync", "asyncio")
RESULT_TAG = "RESULT "
perf_counter = time.perf_counter


# --------------------------------------------------------------------------
# Workloads. Each runs inside a running loop of the peer under test and
# returns {result row name: (value, note)}; the rows and their units are
# declared in WORKLOADS below.
# --------------------------------------------------------------------------


def _countdown(loop: asyncio.AbstractEventLoop, n: int) -> tuple[asyncio.Future, Callable[[], None]]:
    """A callback that resolves the returned future with perf_counter() on its n-th call."""
    done = loop.create_future()
    remaining = n

    def cb() -> None:
        nonlocal remaining
        remaining -= 1
        if remaining == 0:
            done.set_result(perf_counter())

    return done, cb


async def bench_callbacks(n: int, peer: str) -> dict:
    """n call_soon() from a running coroutine; first call_soon until the last callback ran."""
    loop = asyncio.get_running_loop()
    done, cb = _countdown(loop, n)
    start = perf_counter()
    for _ in range(n):
        loop.call_soon(cb)
    end = await done
    return {"callbacks": (n / (end - start), "")}


async def bench_tasks(n: int, peer: str) -> dict:
    """Spawn n trivial tasks; until the last one has run."""
    loop = asyncio.get_running_loop()
    done, tick = _countdown(loop, n)

    async def trivial() -> None:
        tick()

    start = perf_counter()
    for _ in range(n):
        loop.create_task(trivial())  # the scheduled step keeps the task alive
    end = await done
    return {"tasks": (n / (end - start), "")}


async def bench_yields(n: int, peer: str) -> dict:
    """This task (the workload coroutine runs as a task) yields n times with sleep(0)."""
    start = perf_counter()
    for _ in range(n):
        await asyncio.sleep(0)
    return {"yields": (n / (perf_counter() - start), "")}


async def bench_cross_thread(n: int, peer: str, threads: int) -> dict:
    """`threads` producer threads share n call_soon_threadsafe() calls."""
    loop = asyncio.get_running_loop()
    done, cb = _countdown(loop, n)

    def produce(count: int) -> None:
        call = loop.call_soon_threadsafe
        for _ in range(count):
            call(cb)

    shares = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    producers = [threading.Thread(target=produce, args=(share,)) for share in shares]
    start = perf_counter()
    for producer in producers:
        producer.start()
    end = await done
    for producer in producers:
        producer.join()
    return {f"cross_thread_{threads}": (n / (end - start), "")}


def _deadlines_ms(count: int) -> list[int]:
    """The Rust bench's pseudo-random deadlines, 1..=100 ms (xorshift64, fixed seed), same sequence."""
    mask = (1 << 64) - 1
    state = 0x9E37_79B9_7F4A_7C15
    deadlines = []
    for _ in range(count):
        state ^= (state << 13) & mask
        state ^= state >> 7
        state ^= (state << 17) & mask
        deadlines.append(1 + state % 100)
    return deadlines


async def bench_timers(n: int, peer: str) -> dict:
    """n concurrent timers at pseudo-random whole-millisecond deadlines in [1 ms, 100 ms].

    As in the Rust bench, every deadline is `start + ms`, scheduled with call_at()
    (call_later() from each call's own time would spread the deadlines over the
    scheduling time). Inversions: adjacent pairs in firing order whose deadline
    decreases (equal deadlines are in order); early: callbacks that ran before their
    deadline by perf_counter().
    """
    loop = asyncio.get_running_loop()
    deadlines_ms = _deadlines_ms(n)
    done, tick = _countdown(loop, n)
    fired: list[int] = []
    early = 0

    start = perf_counter()
    start_loop = loop.time()

    def on_fire(index: int) -> None:
        nonlocal early
        if perf_counter() < start + deadlines_ms[index] / 1e3:
            early += 1
        fired.append(index)
        tick()

    for index, ms in enumerate(deadlines_ms):
        loop.call_at(start_loop + ms / 1e3, on_fire, index)
    scheduling = perf_counter() - start

    wait = max(deadlines_ms) / 1e3 + 10.0
    await asyncio.wait({done}, timeout=wait)
    order = fired[:]  # a late timer could still append while we count
    inversions = sum(1 for a, b in zip(order, order[1:]) if deadlines_ms[a] > deadlines_ms[b])
    complete = f"all {n} fired" if len(order) == n else f"only {len(order)} of {n} fired within {wait:.0f} s"
    return {
        "timers_schedule": (scheduling / n * 1e9, ""),
        "timers_inversions": (inversions, complete),
        "timers_early": (early, ""),
    }


async def bench_sleep_overshoot(n: int, peer: str) -> dict:
    """n sequential sleep(5 ms); overshoot = measured duration - 5 ms (an early wake counts as 0).

    Percentiles as in the Rust bench: the sorted sample at index round((n - 1) * q).
    """
    overshoots = []
    for _ in range(n):
        start = perf_counter()
        await asyncio.sleep(0.005)
        overshoots.append(max(0.0, perf_counter() - start - 0.005) * 1e3)
    overshoots.sort()

    def quantile(q: float) -> float:
        return overshoots[math.floor((n - 1) * q + 0.5)]

    return {"sleep_overshoot_median_ms": (quantile(0.5), ""), "sleep_overshoot_p99_ms": (quantile(0.99), "")}


async def bench_ping_pong(n: int, peer: str) -> dict:
    """Two tasks pass a token back and forth over two queues, n round trips."""
    loop = asyncio.get_running_loop()
    ping: asyncio.Queue[int] = asyncio.Queue()
    pong: asyncio.Queue[int] = asyncio.Queue()

    async def ponger() -> None:
        for _ in range(n):
            await pong.put(await ping.get())

    partner = loop.create_task(ponger())
    start = perf_counter()
    for token in range(n):
        await ping.put(token)
        await pong.get()
    elapsed = perf_counter() - start
    await partner
    return {"ping_pong": (n / elapsed, "")}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def bench_memory(n: int, peer: str, row: str) -> dict:
    """RSS growth per task with n tasks suspended in sleep(3600).

    The tasks are left pending: the worker cancels every leftover task after
    reporting.
    """
    loop = asyncio.get_running_loop()
    started = 0

    async def sleeper() -> None:
        nonlocal started
        started += 1
        await asyncio.sleep(3600)

    before = _rss_bytes()
    tasks = [loop.create_task(sleeper()) for _ in range(n)]  # kept, as an application would
    while started < n:  # normally one loop iteration
        await asyncio.sleep(0)
    after = _rss_bytes()
    return {row: ((after - before) / len(tasks), "")}


def _start_ticker(peer: str, on_tick: Callable[[], None]) -> Callable[[], None]:
    """Start a 1 ms periodic tick; returns the function that stops it.

    Qt peers use a Qt.PreciseTimer QTimer of their binding; plain asyncio a
    call_later(1 ms) chain.
    """
    if peer == "asyncio":
        loop = asyncio.get_running_loop()
        handle = None

        def tick() -> None:
            nonlocal handle
            on_tick()
            handle = loop.call_later(0.001, tick)

        handle = loop.call_later(0.001, tick)
        return lambda: handle.cancel()

    qt_core = _qt_core(peer)
    timer = qt_core.QTimer()
    timer.setTimerType(qt_core.Qt.TimerType.PreciseTimer)
    timer.setInterval(1)
    timer.timeout.connect(on_tick)
    timer.start()
    return timer.stop  # the bound method keeps the timer alive


async def bench_fairness(n: int, peer: str) -> dict:
    """Worst lateness of a 1 ms periodic tick while n queued call_soon() callbacks drain.

    As the Rust bench's probe: the tick starts once everything is queued (it
    measures how the queue is drained, not how long filling it blocked the loop);
    lateness is the gap since the previous tick (or the start) minus 1 ms,
    including the gap still open when the last callback has run.
    """
    loop = asyncio.get_running_loop()
    done, cb = _countdown(loop, n)
    for _ in range(n):
        loop.call_soon(cb)
    ticks = [perf_counter()]
    stop = _start_ticker(peer, lambda: ticks.append(perf_counter()))
    await done
    ticks.append(perf_counter())  # the still open gap
    stop()
    worst_gap = max(b - a for a, b in zip(ticks, ticks[1:]))
    return {"fairness": (max(0.0, worst_gap - 0.001) * 1e3, "")}


TCP_MESSAGE = 64  # bytes per tcp_echo message
BIG_MESSAGE = 16 * 1024  # bytes per tcp_many message
TCP_CONNECTIONS = 100  # tcp_many's connections (not scaled)


async def _echo_server(handle: Callable) -> tuple[asyncio.AbstractServer, int]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def bench_tcp_echo(n: int, peer: str) -> dict:
    """64-byte round trips over one localhost TCP connection (asyncio streams; client and echo
    server are tasks of the same loop; asyncio's transports set TCP_NODELAY)."""
    loop = asyncio.get_running_loop()
    served = loop.create_future()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                writer.write(await reader.readexactly(TCP_MESSAGE))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            if not served.done():
                served.set_result(None)

    server, port = await _echo_server(serve)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    message = b"\x07" * TCP_MESSAGE
    start = perf_counter()
    for _ in range(n):
        writer.write(message)
        await writer.drain()
        if await reader.readexactly(TCP_MESSAGE) != message:
            raise RuntimeError("the echo came back different")
    elapsed = perf_counter() - start
    writer.close()
    await served
    server.close()
    return {"tcp_echo": (n / elapsed, "")}


async def bench_tcp_many(rounds: int, peer: str) -> dict:
    """100 localhost TCP connections at once, each client sending a 16 KiB message and reading it
    back `rounds` times; the payload echoed per second over all of them (MiB/s)."""
    loop = asyncio.get_running_loop()
    servers_left = [TCP_CONNECTIONS]
    all_served = loop.create_future()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(BIG_MESSAGE):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
            servers_left[0] -= 1
            if servers_left[0] == 0:
                all_served.set_result(None)

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> float:
        message = b"\x07" * BIG_MESSAGE
        for _ in range(rounds):
            writer.write(message)
            await writer.drain()
            if await reader.readexactly(BIG_MESSAGE) != message:
                raise RuntimeError("the echo came back different")
        writer.close()
        return perf_counter()

    server, port = await _echo_server(serve)
    streams = [await asyncio.open_connection("127.0.0.1", port) for _ in range(TCP_CONNECTIONS)]
    start = perf_counter()
    ends = await asyncio.gather(*(client(reader, writer) for reader, writer in streams))
    elapsed = max(ends) - start
    await all_served
    server.close()
    echoed = TCP_CONNECTIONS * rounds * BIG_MESSAGE
    return {"tcp_many": (echoed / elapsed / 1048576.0, "")}


@dataclass(frozen=True)
class Workload:
    run: Callable[[int, str], Awaitable[dict]]
    count: int  # default size, multiplied by --scale
    units: dict[str, str]  # result row name -> unit, in table order


# Unit labels are the Rust bench's (its --merge reads this script's JSON): every
# rate is "items/s" (callbacks, tasks, yields, round trips ...).
WORKLOADS: dict[str, Workload] = {
    "callbacks": Workload(bench_callbacks, 1_000_000, {"callbacks": "items/s"}),
    "tasks": Workload(bench_tasks, 100_000, {"tasks": "items/s"}),
    "yields": Workload(bench_yields, 1_000_000, {"yields": "items/s"}),
    "cross_thread_1": Workload(
        lambda n, peer: bench_cross_thread(n, peer, threads=1), 1_000_000, {"cross_thread_1": "items/s"}
    ),
    "cross_thread_4": Workload(
        lambda n, peer: bench_cross_thread(n, peer, threads=4), 1_000_000, {"cross_thread_4": "items/s"}
    ),
    "timers": Workload(
        bench_timers,
        100_000,
        {"timers_schedule": "ns/item", "timers_inversions": "count", "timers_early": "count"},
    ),
    "sleep_overshoot": Workload(
        bench_sleep_overshoot, 200, {"sleep_overshoot_median_ms": "ms", "sleep_overshoot_p99_ms": "ms"}
    ),
    "ping_pong": Workload(bench_ping_pong, 100_000, {"ping_pong": "items/s"}),
    "memory_100k": Workload(
        lambda n, peer: bench_memory(n, peer, row="memory_100k"), 100_000, {"memory_100k": "bytes/item"}
    ),
    "memory_1m": Workload(
        lambda n, peer: bench_memory(n, peer, row="memory_1m"), 1_000_000, {"memory_1m": "bytes/item"}
    ),
    "fairness": Workload(bench_fairness, 1_000_000, {"fairness": "ms"}),
    "tcp_echo": Workload(bench_tcp_echo, 100_000, {"tcp_echo": "items/s"}),
    # The count is the rounds per connection (the connections stay 100 at every scale).
    "tcp_many": Workload(bench_tcp_many, 500, {"tcp_many": "MiB/s"}),
}


# --------------------------------------------------------------------------
# Worker side: run one workload on one peer's fresh loop.
# --------------------------------------------------------------------------


def _qt_core(peer: str):
    """The QtCore module of the binding the Qt-based peer runs on."""
    if peer == "pyside6-qtasyncio":
        from PySide6 import QtCore

        return QtCore
    import qasync

    return qasync.QtCore


async def _measure(peer: str, name: str, scale: float) -> None:
    workload = WORKLOADS[name]
    n = max(1, math.floor(workload.count * scale + 0.5))  # rounds half up, as the Rust bench
    try:
        results = await workload.run(n, peer)
    except NotImplementedError as error:
        # PySide6's QtAsyncio has no sockets (start_server, open_connection, add_reader ...).
        detail = str(error) or type(error).__name__
        results = {row: (None, f"NotImplementedError: {detail}") for row in workload.units}
    rows = [
        {
            "workload": row,
            "peer": peer,
            "value": None if value is None else float(value),
            "unit": workload.units[row],
            "note": note,
        }
        for row, (value, note) in results.items()
    ]
    print(RESULT_TAG + json.dumps(rows), flush=True)
    # Cancel what the workload left pending (the memory workloads' sleepers).
    leftovers = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)


def run_worker(peer: str, name: str, scale: float) -> None:
    coro = _measure(peer, name, scale)
    if peer == "asyncio":
        asyncio.run(coro)
    elif peer == "pyside6-qtasyncio":
        from PySide6 import QtAsyncio

        # quit_qapp must stay True: with False, the loop's stop() never ends
        # QCoreApplication.exec() and run() hangs after the coroutine.
        QtAsyncio.run(coro, keep_running=False, quit_qapp=True)
    elif peer == "qasync":
        import qasync

        app = qasync.QtCore.QCoreApplication.instance() or qasync.QtCore.QCoreApplication([])
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:  # closes the loop on exit
            loop.run_until_complete(coro)
    else:
        raise SystemExit(f"unknown peer {peer!r}")


# --------------------------------------------------------------------------
# Parent side: one subprocess per (peer, workload), table and JSON output.
# --------------------------------------------------------------------------


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _installed(peer: str, qasync_binding: str) -> bool:
    if peer == "pyside6-qtasyncio":
        return importlib.util.find_spec("PySide6") is not None
    if peer == "qasync":
        module = {"pyqt6": "PyQt6", "pyside6": "PySide6"}[qasync_binding]
        return importlib.util.find_spec("qasync") is not None and importlib.util.find_spec(module) is not None
    return True


def _failure_reason(returncode: int, stderr: str) -> str:
    """Why a worker died: its Fatal Python error, else its last stderr line, else the signal."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith("Fatal Python error")]
    if fatal:
        return fatal[0]
    if lines:
        return lines[-1]
    if returncode < 0:
        return signal.Signals(-returncode).name
    return f"exit code {returncode}"


def run_pair(peer: str, name: str, args: argparse.Namespace, env: dict[str, str]) -> list[dict]:
    """Run one (peer, workload) worker subprocess and turn its outcome into result rows."""
    command = [sys.executable, os.path.abspath(__file__), "--worker", peer, name, "--scale", str(args.scale)]
    timed_out = False
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, stdin=subprocess.DEVNULL)
        try:
            process.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            process.kill()
            process.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if timed_out:
        failure = f"timeout ({args.timeout:g} s)"
    elif process.returncode != 0:
        failure = "crashed: " + _failure_reason(process.returncode, stderr)
    else:
        failure = ""

    reported = [line[len(RESULT_TAG):] for line in stdout.splitlines() if line.startswith(RESULT_TAG)]
    if not reported:
        return [
            {"workload": row, "peer": peer, "value": None, "unit": unit, "note": failure or "reported no result"}
            for row, unit in WORKLOADS[name].units.items()
        ]
    rows = json.loads(reported[-1])
    if failure:  # the measurement finished; the process died while shutting down
        for row in rows:
            row["note"] = "; ".join(filter(None, [row["note"], f"after reporting, {failure}"]))
    return rows


def _format_value(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:.3f} ms"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.0f} {unit}"


def markdown_table(results: list[dict], peers: list[str], header: list[str]) -> str:
    """Rows: result rows in workload order; columns: peers. Notes are listed below."""
    by_key = {(r["workload"], r["peer"]): r for r in results}
    row_names = [row for workload in WORKLOADS.values() for row in workload.units]
    row_names = [row for row in row_names if any((row, peer) in by_key for peer in peers)]
    lines = header + ["", "| workload | " + " | ".join(peers) + " |", "|---" * (len(peers) + 1) + "|"]
    notes = []
    for row in row_names:
        cells = []
        for peer in peers:
            result = by_key.get((row, peer))
            if result is None:
                cells.append("")
            elif result["value"] is None:
                cells.append(result["note"])
            elif result["note"]:
                notes.append(f"{len(notes) + 1}. {row} / {peer}: {result['note']}")
                cells.append(f"{_format_value(result['value'], result['unit'])} [{len(notes)}]")
            else:
                cells.append(_format_value(result["value"], result["unit"]))
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    if notes:
        lines += ["", "Notes:", ""] + notes
    return "\n".join(lines)


def version_header(args: argparse.Namespace, load: float) -> list[str]:
    binding = {"pyqt6": "PyQt6", "pyside6": "PySide6"}[args.qasync_binding]
    return [
        "# qtasync bench: Python peers",
        "",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}, "
        f"{os.cpu_count()} CPUs",
        f"- PySide6 {_dist_version('PySide6') or 'not installed'} (QtAsyncio)",
        f"- qasync {_dist_version('qasync') or 'not installed'} on {binding} "
        f"{_dist_version(binding) or 'not installed'}",
        f"- scale {args.scale:g}, timeout {args.timeout:g} s per subprocess, "
        f"QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM', 'offscreen')}",
        f"- 1-minute load average at start: {load:.2f} (other work on the machine skews the numbers)",
    ]


def _csv(value: str, allowed: tuple[str, ...] | list[str], what: str) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(allowed)})")
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (e.g. 0.01 for a smoke run)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per (peer, workload) subprocess")
    parser.add_argument(
        "--peers", type=lambda v: _csv(v, PEERS, "peer"), default=list(PEERS), help=f"of {','.join(PEERS)}"
    )
    parser.add_argument(
        "--workloads",
        type=lambda v: _csv(v, list(WORKLOADS), "workload"),
        default=list(WORKLOADS),
        help=f"of {','.join(WORKLOADS)}",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--qasync-binding", choices=("pyqt6", "pyside6"), default="pyqt6", help="Qt binding under qasync"
    )
    parser.add_argument("--worker", nargs=2, metavar=("PEER", "WORKLOAD"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.worker:
        run_worker(args.worker[0], args.worker[1], args.scale)
        return

    env = dict(os.environ, QT_API=args.qasync_binding)
    peers = [peer for peer in PEERS if peer in args.peers]
    workloads = [name for name in WORKLOADS if name in args.workloads]
    results: list[dict] = []
    total = len(peers) * len(workloads)
    load_at_start = os.getloadavg()[0]
    run_start = perf_counter()
    step = 0
    for name in workloads:
        for peer in peers:
            step += 1
            if not _installed(peer, args.qasync_binding):
                results += [
                    {"workload": row, "peer": peer, "value": None, "unit": unit, "note": "not installed"}
                    for row, unit in WORKLOADS[name].units.items()
                ]
                print(f"[{step}/{total}] {name} on {peer}: not installed", file=sys.stderr)
                continue
            pair_start = perf_counter()
            rows = run_pair(peer, name, args, env)
            results += rows
            outcome = ", ".join(
                f"{row['workload']}={row['value']:.6g}" if row["value"] is not None else row["note"] for row in rows
            )
            print(
                f"[{step}/{total}] {name} on {peer}: {perf_counter() - pair_start:.1f} s: {outcome}",
                file=sys.stderr,
                flush=True,
            )
    elapsed = perf_counter() - run_start

    print(markdown_table(results, peers, version_header(args, load_at_start)))
    print(f"\nTotal wall time: {elapsed:.0f} s")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(results, file, indent=2)
            file.write("\n")


if __name__ == "__main__":
    main()
