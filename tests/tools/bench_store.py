#!/usr/bin/env python3
"""Store benchmark: the same report directories stored with `CodeChecker
store` (6.29.1) into our server and into CodeChecker's own server.

    bench_store.py --server-bin target/release/codechecker-server \\
                   --venv $CC_PY_CURRENT [--sizes 2files,5k,100k] \\
                   [--big-upload-mb 500] [--skip-reference] [--markdown FILE]

For each size and server it prints: end-to-end wall time of the store
command, server-side time (the server's own log line about the store, which
counts unpacking and writing; also the task's enqueued → completed span,
whole seconds), reports per second of server-side time, and peak memory
(PSS summed over the server's processes, sampled from
/proc/*/smaps_rollup every 50 ms). Each server starts on a fresh SQLite
workspace. With --markdown the results replace the "## Store" section of
that file.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = {
    "2files": (2, 4),       # files, report slots per file
    "5k": (250, 20),
    "100k": (1000, 100),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid):
    """`pid` and every process below it."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def pss_kib(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


class Sampler(threading.Thread):
    """Tracks the peak PSS of a process tree until stopped."""

    def __init__(self, root_pid):
        super().__init__(daemon=True)
        self.root = root_pid
        self.peak = 0
        self.stop_flag = threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            self.peak = max(self.peak, pss_kib(descendants(self.root)))
            time.sleep(0.05)

    def stop(self):
        self.stop_flag.set()
        self.join()
        return self.peak


class Server:
    """One server under test in a fresh workspace."""

    def __init__(self, kind, args, work, pg_prefix="ccrs_bench", reuse=None):
        """`reuse`: the folder of an earlier run's server (kept with
        `--keep`) to start again on its workspace instead of a fresh one
        (SQLite only; its PostgreSQL databases are not recreated)."""
        self.kind = kind
        self.work = reuse or tempfile.mkdtemp(prefix=f"bench-{kind}-", dir=work)
        self.log_path = os.path.join(self.work, "server.log")
        log = open(self.log_path, "w", encoding="utf-8")
        self.port = free_port()
        ws = os.path.join(self.work, "workspace")
        env = dict(os.environ, HOME=self.work)
        self.product = "Default"
        if kind.startswith("ours"):
            cmd = [args.server_bin, "-w", ws, "--port", str(self.port)]
            if kind == "ours-pg":
                if not reuse:
                    pg_recreate(args.pg, f"{pg_prefix}_config")
                    pg_recreate(args.pg, f"{pg_prefix}_product")
                host, port = args.pg.split(":")
                cmd += ["--config-db",
                        f"postgres://postgres@{host}:{port}/{pg_prefix}_config"]
            env["NO_COLOR"] = "1"
        else:
            cmd = [os.path.join(args.venv, "bin/CodeChecker"), "server", "-w",
                   ws, "--host", "127.0.0.1", "--port", str(self.port),
                   "--skip-db-cleanup"]
            if kind == "codechecker-pg":
                # CodeChecker 6.29.1 needs PostgreSQL 16 or newer.
                if not reuse:
                    pg_recreate(args.pg, f"{pg_prefix}_ccconfig")
                    pg_recreate(args.pg, f"{pg_prefix}_ccproduct")
                host, port = args.pg.split(":")
                cmd += ["--postgresql", "--db-host", host, "--db-port", port,
                        "--db-username", "postgres", "--db-name",
                        f"{pg_prefix}_ccconfig"]
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log,
                                     stdin=subprocess.DEVNULL, env=env,
                                     start_new_session=True)
        self.cc = os.path.join(args.venv, "bin/CodeChecker")
        self.url = f"http://localhost:{self.port}"
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{kind} server exited; see {self.log_path}")
            probe = subprocess.run([self.cc, "cmd", "products", "list",
                                    "--url", self.url],
                                   capture_output=True, env=self.client_env())
            if probe.returncode == 0:
                if kind.endswith("-pg"):
                    if reuse:
                        self.product = "pg"
                    else:
                        database = f"{pg_prefix}_product" if kind == "ours-pg" \
                            else f"{pg_prefix}_ccproduct"
                        self.add_pg_product(args.pg, database)
                return
            time.sleep(0.5)
        raise RuntimeError(f"{kind} server did not start")

    def add_pg_product(self, pg, database):
        """Adds the product `pg`, whose database `database` is on PostgreSQL."""
        host, port = pg.split(":")
        subprocess.run([self.cc, "cmd", "products", "add", "pg", "--name", "pg",
                        "--postgresql", "--db-host", host, "--db-port", port,
                        "--db-username", "postgres", "--db-name",
                        database, "--url", self.url],
                       capture_output=True, check=True, env=self.client_env())
        self.product = "pg"

    def client_env(self):
        return dict(os.environ, HOME=self.work)

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def server_seconds(self):
        """The server's own timing of the store, from its log."""
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        found = re.findall(r"stored results to product .*? in ([0-9.]+) seconds",
                           text)
        return float(found[-1]) if found else None

    def task_span(self):
        """Whole seconds from enqueued to completed of the last store task."""
        out = subprocess.run([self.cc, "cmd", "serverside-tasks", "--url",
                              self.url, "--type",
                              "report_server::massStoreRunAsynchronous()",
                              "--output", "json"], capture_output=True,
                             text=True, env=self.client_env())
        try:
            tasks = json.loads(out.stdout)
        except ValueError:
            return None
        spans = []
        for t in tasks:
            try:
                begin = time.mktime(time.strptime(t["enqueuedAt"],
                                                  "%Y-%m-%d %H:%M:%S"))
                end = time.mktime(time.strptime(t["completedAt"],
                                                "%Y-%m-%d %H:%M:%S"))
            except (KeyError, TypeError, ValueError):
                continue
            spans.append(int(end - begin))
        return spans[-1] if spans else None


def store(server, report_dir, run):
    sampler = Sampler(server.proc.pid)
    sampler.start()
    start = time.time()
    out = subprocess.run([server.cc, "store", report_dir, "-n", run, "--url",
                          f"{server.url}/{server.product}"], capture_output=True,
                         text=True, env=server.client_env())
    wall = time.time() - start
    time.sleep(0.3)
    peak = sampler.stop()
    if out.returncode != 0:
        raise RuntimeError(f"store into {server.kind} failed:\n{out.stdout}\n"
                           f"{out.stderr[-3000:]}")
    return wall, peak


def pg_recreate(pg, name):
    """Drops and creates the PostgreSQL database `name` at HOST:PORT `pg`."""
    host, port = pg.split(":")
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", host, "-p", port, "-U", "postgres",
                        "-d", "postgres", "-qc", sql], capture_output=True,
                       check=True)


def pg_drop(pg, name):
    """Drops the PostgreSQL database `name` at HOST:PORT `pg`, if it exists."""
    host, port = pg.split(":")
    subprocess.run(["psql", "-h", host, "-p", port, "-U", "postgres", "-d",
                    "postgres", "-qc",
                    f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                   capture_output=True, check=False)


def generate(venv, work, name, files, slots):
    out = os.path.join(work, "corpora", name)
    if os.path.isdir(out):
        with open(os.path.join(out, ".summary"), encoding="utf-8") as f:
            return out, json.load(f)
    src = os.path.join(work, "corpora", name + "-src")
    proc = subprocess.run([os.path.join(venv, "bin/python"),
                           os.path.join(HERE, "store_corpus.py"), "--out", out,
                           "--src", src, "--files", str(files), "--reports",
                           str(slots), "--seed", "11", "--compact"],
                          capture_output=True, text=True, check=True)
    summary = json.loads(proc.stdout)
    with open(os.path.join(out, ".summary"), "w", encoding="utf-8") as f:
        json.dump(summary, f)
    return out, summary


def big_upload_dir(venv, work, megabytes):
    """A report directory whose sources are incompressible: the upload is
    about `megabytes` MB after CodeChecker's zlib."""
    out = os.path.join(work, "corpora", f"big{megabytes}")
    if os.path.isdir(out):
        return out
    src = out + "-src"
    subprocess.run([os.path.join(venv, "bin/python"),
                    os.path.join(HERE, "store_corpus.py"), "--out", out, "--src",
                    src, "--files", "50", "--reports", "2", "--seed", "13"],
                   capture_output=True, check=True)
    # Append random hex text to every source; zlib packs it to about half.
    per_file = int(megabytes * 1e6 / 0.5 / 50)
    for root, _, names in os.walk(src):
        for n in names:
            if n.endswith(".c"):
                with open(os.path.join(root, n), "a", encoding="ascii") as f:
                    left = per_file
                    while left > 0:
                        chunk = min(left, 1 << 20)
                        f.write("/* " + os.urandom(chunk).hex()[:chunk] + " */\n")
                        left -= chunk
    # Sources must not be newer than their plists.
    now = time.time()
    for root, _, names in os.walk(out):
        for n in names:
            os.utime(os.path.join(root, n), (now + 5, now + 5))
    return out


def fmt_row(size, kind, reports, wall, server_s, span, peak_kib):
    rate = f"{reports / server_s:,.0f}" if server_s else "–"
    server_text = f"{server_s:.2f} s" if server_s is not None else "–"
    span_text = f"{span} s" if span is not None else "–"
    return (f"| {size} | {kind} | {reports:,} | {wall:.1f} s | {server_text} | "
            f"{span_text} | {rate} | {peak_kib / 1024:,.0f} MiB |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server-bin", required=True)
    ap.add_argument("--venv", default=os.environ.get("CC_PY_CURRENT"))
    ap.add_argument("--sizes", default="2files,5k,100k")
    ap.add_argument("--big-upload-mb", type=int, default=0)
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--pg", default=None, metavar="HOST:PORT",
                    help="also store into our server with the configuration "
                    "and the product database on this PostgreSQL (user "
                    "postgres, trust auth); CodeChecker 6.29.1 cannot run on "
                    "PostgreSQL 15, so it is measured on SQLite only")
    ap.add_argument("--work", default=None,
                    help="where corpora and workspaces go (kept between runs)")
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args()
    if not args.venv:
        ap.error("--venv (or CC_PY_CURRENT) is needed")
    work = args.work or tempfile.mkdtemp(prefix="bench-store-")
    os.makedirs(work, exist_ok=True)
    kinds = ["ours"] + (["ours-pg"] if args.pg else []) + \
        ([] if args.skip_reference else ["codechecker"])
    rows = []
    header = ("| Size | Server | Reports | End-to-end | Server-side | "
              "Task enqueued→completed | Reports/s (server-side) | Peak PSS |\n"
              "|---|---|---|---|---|---|---|---|")
    print(header, flush=True)
    jobs = []
    for size in [s for s in args.sizes.split(",") if s]:
        files, slots = SIZES[size]
        report_dir, summary = generate(args.venv, work, size, files, slots)
        jobs.append((size, report_dir, summary["reports"], kinds))
    if args.big_upload_mb:
        jobs.append((f"{args.big_upload_mb} MB upload",
                     big_upload_dir(args.venv, work, args.big_upload_mb), 100,
                     ["ours"]))
    for size, report_dir, reports, job_kinds in jobs:
        for kind in job_kinds:
            server = Server(kind, args, work)
            try:
                wall, peak = store(server, report_dir, "bench")
                row = fmt_row(size, kind, reports, wall,
                              server.server_seconds(), server.task_span(),
                              peak)
            finally:
                server.stop()
                logs = os.path.join(work, "logs")
                os.makedirs(logs, exist_ok=True)
                shutil.copy(server.log_path, os.path.join(
                    logs, f"{kind}-{size.replace(' ', '_')}.log"))
                shutil.rmtree(server.work, ignore_errors=True)
            rows.append(row)
            print(row, flush=True)
    if args.markdown:
        write_markdown(args.markdown, header, rows)
    return 0


def write_markdown(path, header, rows):
    machine = subprocess.run(["sh", "-c", "nproc; grep -m1 'model name' "
                              "/proc/cpuinfo | cut -d: -f2"],
                             capture_output=True, text=True).stdout.split("\n")
    section = ["## Store", "",
               "`make bench-store` (`tests/tools/bench_store.py`): the same "
               "synthetic report directories (`tests/tools/store_corpus.py`) "
               "stored with `CodeChecker store` 6.29.1 (asynchronous, default "
               "options) into our release build and into CodeChecker 6.29.1's "
               "own server, each on a fresh SQLite workspace with its default "
               "process counts.", "",
               f"Machine: {machine[0].strip()} cores,{machine[1].rstrip()}; "
               "shared with other builds, so expect some noise.", "",
               "* End-to-end: wall time of the `CodeChecker store` command "
               "(client-side parsing and zipping included; the 6.29.1 client "
               "polls the task at most every 5 s, our server holds the reply "
               "up to 2 s so small stores end before the first poll).",
               "* Server-side: the server's own log line about the store "
               "(unpacking the upload plus writing the run). The task's "
               "enqueued → completed span (whole seconds) is given too.",
               "* Peak PSS: summed over every process of the server, sampled "
               "every 50 ms during the store.", "", header] + rows + [""]
    text = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
    pattern = re.compile(r"^## Store\n.*?(?=^## |\Z)", re.S | re.M)
    block = "\n".join(section) + "\n"
    text = pattern.sub(block, text) if pattern.search(text) else \
        text.rstrip("\n") + "\n\n" + block
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
