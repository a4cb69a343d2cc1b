#!/usr/bin/env python3
"""Read benchmark: the report queries of `CodeChecker cmd` and of the web UI,
timed on our server and on CodeChecker's own server holding the same runs.

    bench_queries.py --server-bin target/release/codechecker-server \\
                     --venv $CC_PY_CURRENT [--reports 100000] [--iterations 15] \\
                     [--pg 127.0.0.1:5432] [--servers ours,codechecker] \\
                     [--results-json FILE] [--markdown docs/benchmarks.md]

A synthetic corpus (`store_corpus.py`: a base version and an evolved one,
where a quarter of the reports are gone, a quarter are new and two checkers
are disabled or unlisted) is stored with CodeChecker's 6.29.1 client
(`CC_FORCE_SYNC_STORE=yes`) as run `big-v1` (base, tag v1) and run `big-v2`
(evolved, tag v2) into each server, each on a fresh workspace. Then every
case below is run once to warm up and `--iterations` times measured, through
CodeChecker's own Python Thrift client (`codechecker_api`, one new HTTP
connection per call as the `CodeChecker` client makes them); the table gives
median and p90 wall time per case.

With `--pg` our server also runs with its configuration and product
database on that PostgreSQL (user postgres, trust; scratch databases are
created and dropped). CodeChecker 6.29.1's server cannot migrate on
PostgreSQL 15, so it is measured on SQLite only.

`--results-json FILE` keeps the numbers per server in FILE: a later run with
fewer `--servers` (say, ours only after a change) reuses the others'. With
`--markdown FILE` the table replaces (or adds) the "## Reads" section there.
"""

import argparse
import concurrent.futures
import datetime
import http.client
import io
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_store  # noqa: E402  (free ports, server start and stop)

SERVER_NAMES = {"ours": "ours", "ours-pg": "ours (PostgreSQL)",
                "codechecker": "CodeChecker 6.29.1",
                "codechecker-pg": "CodeChecker 6.29.1 (PostgreSQL)"}
# The order of the servers in tables; ours first, each with its reference.
KINDS = ("ours", "ours-pg", "codechecker", "codechecker-pg")
OURS = ("ours", "ours-pg")


def reference_of(kind, results):
    """The CodeChecker server `kind` of ours is compared with: the one on
    the same database engine when it was measured, else the SQLite one."""
    if kind == "ours-pg" and "codechecker-pg" in results:
        return "codechecker-pg"
    return "codechecker" if "codechecker" in results else None
PAGE = 100


def corpus(venv, work, reports, version):
    """Generates (once) the `version` of the corpus; returns (dir, summary)."""
    slots = min(100, reports)
    files = max(1, math.ceil(reports / slots))
    name = f"big{files}x{slots}"
    out = os.path.join(work, "corpora", f"{name}-{version}")
    summary_path = os.path.join(out, ".summary")
    if os.path.exists(summary_path):
        with open(summary_path, encoding="utf-8") as f:
            return out, json.load(f)
    proc = subprocess.run(
        [os.path.join(venv, "bin/python"), os.path.join(HERE, "store_corpus.py"),
         "--out", out, "--src", os.path.join(work, "corpora", name + "-src"),
         "--files", str(files), "--reports", str(slots), "--seed", "11",
         "--compact", "--version", version],
        capture_output=True, text=True, check=True)
    summary = json.loads(proc.stdout)
    with open(summary_path, "w", encoding="utf-8") as f:
        json.dump(summary, f)
    return out, summary


def store(server, report_dir, run, tag):
    """Stores `report_dir` as `run` with the 6.29.1 client; returns seconds."""
    env = dict(server.client_env(), CC_FORCE_SYNC_STORE="yes")
    start = time.time()
    out = subprocess.run([server.cc, "store", report_dir, "-n", run, "--tag",
                          tag, "--url", f"{server.url}/{server.product}"],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"store of {run} into {server.kind} failed:\n"
                           f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return time.time() - start


# Every request body sent through `http_transport` (the raw replay takes
# each case's from here).
SENT = []


def raw_call(host, port, path, body):
    """One POST of `body` on a new connection with `Connection: close`,
    read until the server closes it: the least a client can do, so that
    what is measured is the server. Returns the seconds taken."""
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: application/x-thrift\r\nConnection: close\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    start = time.perf_counter()
    with socket.create_connection((host, port)) as sock:
        sock.sendall(head + body)
        received = b""
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            received += chunk
    took = time.perf_counter() - start
    if not received.startswith(b"HTTP/1.") or b" 200 " not in received[:16]:
        raise RuntimeError(f"raw replay: {received[:80]!r}")
    return took


def raw_replay(url, bodies, parallel):
    """The seconds `bodies` take as raw calls: one after another, or all at
    once from their own threads (until the last answer). A body is the bytes
    to POST to `url`'s path, or a (path, bytes) pair."""
    parts = urllib.parse.urlsplit(url)
    calls = [b if isinstance(b, tuple) else (parts.path, b) for b in bodies]
    if not parallel:
        return sum(raw_call(parts.hostname, parts.port, path, b)
                   for path, b in calls)
    barrier = threading.Barrier(len(calls))
    spans = [None] * len(calls)

    def one(n):
        barrier.wait()
        start = time.perf_counter()
        raw_call(parts.hostname, parts.port, *calls[n])
        spans[n] = (start, time.perf_counter())
    threads = [threading.Thread(target=one, args=(n,))
               for n in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return max(e for _, e in spans) - min(s for s, _ in spans)


def http_transport(url):
    """A Thrift HTTP transport that, like `THttpClient`, opens a new
    connection per call, but reads the whole answer before the protocol
    decodes it, and records when each round trip began and ended."""
    # pylint: disable=import-outside-toplevel
    from thrift.transport import TTransport

    class TimedHttp(TTransport.TTransportBase):
        """POSTs each message; `spans` holds (start, end) per round trip."""

        def __init__(self):
            parts = urllib.parse.urlsplit(url)
            self.host, self.port, self.path = \
                parts.hostname, parts.port, parts.path
            self.wbuf, self.rbuf = io.BytesIO(), io.BytesIO()
            self.spans = []

        def isOpen(self):  # noqa: N802 (Thrift's name)
            return True

        def open(self):
            pass

        def close(self):
            pass

        def write(self, buf):
            self.wbuf.write(buf)

        def read(self, sz):
            return self.rbuf.read(sz)

        def flush(self):
            data, self.wbuf = self.wbuf.getvalue(), io.BytesIO()
            SENT.append(data)
            start = time.perf_counter()
            conn = http.client.HTTPConnection(self.host, self.port)
            try:
                conn.request("POST", self.path, body=data, headers={
                    "Content-Type": "application/x-thrift",
                    "User-Agent": "Python/THttpClient (bench_queries.py)"})
                response = conn.getresponse()
                body = response.read()
            finally:
                conn.close()
            self.spans.append((start, time.perf_counter()))
            if response.status != 200:
                raise TTransport.TTransportException(
                    message=f"HTTP {response.status} {response.reason}")
            self.rbuf = io.BytesIO(body)

    return TimedHttp()


class Api:
    """CodeChecker's generated client of the report service of one product."""

    def __init__(self, url):
        # pylint: disable=import-outside-toplevel
        from codechecker_api.codeCheckerDBAccess_v6 import codeCheckerDBAccess
        from thrift.protocol import TJSONProtocol
        self.url = url
        self.transport = http_transport(url)
        self.client = codeCheckerDBAccess.Client(
            TJSONProtocol.TJSONProtocol(self.transport))
        self.wire = None

    def __getattr__(self, method):
        return getattr(self.client, method)


def thrift_types():
    # pylint: disable=import-outside-toplevel
    from codechecker_api.codeCheckerDBAccess_v6 import constants, ttypes
    return ttypes, constants


def cases(url, v1_ids, v2_ids, checker):
    """The measured cases: (name, function of an Api returning a summary)."""
    t, constants = thrift_types()
    limit_all = constants.MAX_QUERY_SIZE

    def total(counts):
        return sum(counts.values())

    def no_filter():
        return t.ReportFilter()

    # `cmd diff` and the web UI's reports page: outstanding, not dismissed.
    def outstanding():
        return t.ReportFilter(
            isUnique=False,
            reviewStatus=[t.ReviewStatus.UNREVIEWED, t.ReviewStatus.CONFIRMED],
            detectionStatus=[t.DetectionStatus.NEW, t.DetectionStatus.REOPENED,
                             t.DetectionStatus.UNRESOLVED])

    def page(api):
        return len(api.getRunResults(v2_ids, PAGE, 0, None, no_filter(), None,
                                     False))

    def page_checker(api):
        return len(api.getRunResults(v2_ids, PAGE, 0, None,
                                     t.ReportFilter(checkerName=[checker]),
                                     None, False))

    def count(api):
        return api.getRunResultCount(v2_ids, no_filter(), None)

    def cli_filter(**fields):
        # What `parse_report_filter` of the 6.29.1 client builds by default:
        # outstanding (new, reopened, unresolved), unreviewed or confirmed.
        values = dict(
            reviewStatus=[t.ReviewStatus.UNREVIEWED, t.ReviewStatus.CONFIRMED],
            detectionStatus=[t.DetectionStatus.NEW, t.DetectionStatus.REOPENED,
                             t.DetectionStatus.UNRESOLVED],
            isUnique=False, fileMatchesAnyPoint=False,
            componentMatchesAnyPoint=False, fullReportPathInComponent=False)
        values.update(fields)
        return t.ReportFilter(**values)

    def summary(api):
        # What `CodeChecker cmd sum -n big-v2` asks (handle_list_result_types;
        # its filter has uniqueing on), in its order.
        runs = api.getRunData(t.RunFilter(names=["big-v2"]), limit_all, 0, None)
        ids = [r.runId for r in runs]
        checkers = api.getCheckerCounts(ids, cli_filter(isUnique=True), None,
                                        limit_all, 0)
        for status in (t.ReviewStatus.UNREVIEWED, t.ReviewStatus.CONFIRMED,
                       t.ReviewStatus.FALSE_POSITIVE,
                       t.ReviewStatus.INTENTIONAL):
            api.getCheckerCounts(ids, cli_filter(isUnique=True,
                                                 reviewStatus=[status]),
                                 None, limit_all, 0)
        severities = api.getSeverityCounts(ids, cli_filter(isUnique=True), None)
        details = api.getCheckerStatusVerificationDetails(
            ids, cli_filter(isUnique=True))
        api.getCheckerLabels([t.Checker(d.analyzerName, d.checkerName)
                              for d in details.values()])
        return (sum(c.count for c in checkers), sum(severities.values()),
                len(details))

    def diff_cmp():
        return t.CompareData(runIds=v2_ids, diffType=t.DiffType.NEW, runTag=[])

    def diff_filter():
        return cli_filter(runTag=[])

    sort_file = [t.SortMode(t.SortType.FILENAME, t.Order.ASC)]

    def diff_page(api):
        # `cmd diff -b big-v1 -n big-v2 --new` asks pages of 500 sorted by
        # file name (then getLinesInSourceFileContents); here one page of 100.
        return len(api.getRunResults(v1_ids, PAGE, 0, sort_file, diff_filter(),
                                     diff_cmp(), True))

    def diff_count(api):
        # The 6.29.1 client does not count; the web UI's diff view does.
        return api.getRunResultCount(v1_ids, diff_filter(), diff_cmp())

    # The reports page of the web UI: the list and every sidebar count,
    # fired at once, one connection each.
    # (method, arguments, summary of the answer)
    ui_calls = [
        ("getRunResults", (v2_ids, PAGE, 0,
                           [t.SortMode(t.SortType.SEVERITY, t.Order.DESC)],
                           outstanding(), None, False), len),
        ("getRunResultCount", (v2_ids, outstanding(), None), int),
        ("getSeverityCounts", (v2_ids, outstanding(), None), total),
        ("getCheckerCounts", (v2_ids, outstanding(), None, None, 0), len),
        ("getCheckerMsgCounts", (v2_ids, outstanding(), None, None, 0), len),
        ("getFileCounts", (v2_ids, outstanding(), None, None, 0), len),
        ("getDetectionStatusCounts", (v2_ids, outstanding(), None), total),
        ("getReviewStatusCounts", (v2_ids, outstanding(), None), total),
        ("getReportStatusCounts", (v2_ids, outstanding(), None), total),
        ("getAnalyzerNameCounts", (v2_ids, outstanding(), None, None, 0), len),
        ("getRunHistoryTagCounts", (v2_ids, outstanding(), None, None, 0),
         len),
        ("getRunReportCounts", (v2_ids, outstanding(), None, 0), len),
    ]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(ui_calls))

    def ui_fanout(api):
        # Every request is sent and its whole answer read on its own thread
        # and connection; the answers are decoded once all have arrived, so
        # the HTTP time is not stretched by decoding on other threads.
        barrier = threading.Barrier(len(ui_calls))

        def one(method, args):
            own = Api(url)
            barrier.wait()
            start = time.perf_counter()
            getattr(own.client, "send_" + method)(*args)
            return own, start, own.transport.spans[-1][1]
        futures = [pool.submit(one, m, a) for m, a, _ in ui_calls]
        done = [f.result() for f in futures]
        api.wire = max(end for _, _, end in done) - \
            min(start for _, start, _ in done)
        return tuple(summarize(getattr(own.client, "recv_" + m)())
                     for (own, _, _), (m, _, summarize) in zip(done, ui_calls))

    return [
        ("getRunResults, page of 100, no filter", page),
        (f"getRunResults, page of 100, checker {checker}", page_checker),
        ("getRunResultCount, no filter", count),
        ("`cmd sum -n big-v2` (getRunData, 5 getCheckerCounts, "
         "getSeverityCounts, getCheckerStatusVerificationDetails, "
         "getCheckerLabels)", summary),
        ("`cmd diff --new` big-v1 → big-v2: getRunResults with CompareData, "
         "page of 100", diff_page),
        ("`cmd diff --new` big-v1 → big-v2: getRunResultCount with CompareData",
         diff_count),
        (f"web UI reports page: {len(ui_calls)} calls at once "
         "(page + sidebar counts)", ui_fanout),
    ]


def error_text(err):
    message = getattr(err, "message", None) or str(err) or type(err).__name__
    return message.splitlines()[0][:80]


def percentiles(times):
    times = sorted(times)
    n = len(times)
    median = times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2
    return median, times[max(0, math.ceil(0.9 * n) - 1)]


def measure(fn, api, iterations, parallel=False):
    """Warm-up plus `iterations` timed runs of a case: median and p90 of its
    wall time and of its HTTP time ({error} if the warm-up fails)."""
    api.wire = None
    first = len(api.transport.spans)
    first_sent = len(SENT)
    try:
        answer = fn(api)
    except Exception as err:  # a method a server lacks: noted in the table
        return {"error": error_text(err)}
    first_wire = api.wire if api.wire is not None else \
        sum(e - s for s, e in api.transport.spans[first:])
    walls, wires = [], []
    for _ in range(iterations):
        api.wire = None
        first = len(api.transport.spans)
        start = time.perf_counter()
        fn(api)
        walls.append(time.perf_counter() - start)
        wires.append(api.wire if api.wire is not None else
                     sum(e - s for s, e in api.transport.spans[first:]))
    median, p90 = percentiles(walls)
    wire_median, wire_p90 = percentiles(wires)
    bodies = SENT[first_sent:first_sent + len(SENT[first_sent:]) // (iterations + 1)]
    raws = [raw_replay(api.url, bodies, parallel) for _ in range(iterations)]
    raw_median, raw_p90 = percentiles(raws)
    return {"median": median, "p90": p90, "wire_median": wire_median,
            "wire_p90": wire_p90, "first_wire": first_wire,
            "raw_median": raw_median, "raw_p90": raw_p90,
            "answer": json.loads(json.dumps(answer))}


def run_ids(api, name):
    t, _ = thrift_types()
    runs = api.getRunData(t.RunFilter(names=[name], exactMatch=True), None, 0,
                          None)
    if len(runs) != 1:
        raise RuntimeError(f"run {name}: {len(runs)} found")
    return [runs[0].runId]


def bench_server(kind, args, work, v1_dir, v2_dir):
    reuse = args.reuse.get(kind)
    server = bench_store.Server(kind, args, work, pg_prefix="ccrs_benchq",
                                reuse=reuse)
    result = {"cases": {}}
    try:
        print(f"  {kind}: server folder {server.work}", flush=True)
        if reuse:
            print(f"  {kind}: runs of {reuse} reused", flush=True)
        else:
            result["store_v1_s"] = store(server, v1_dir, "big-v1", "v1")
            print(f"  {kind}: big-v1 stored in {result['store_v1_s']:.1f} s",
                  flush=True)
            result["store_v2_s"] = store(server, v2_dir, "big-v2", "v2")
            print(f"  {kind}: big-v2 stored in {result['store_v2_s']:.1f} s",
                  flush=True)
        url = f"{server.url}/{server.product}/v{args.api}/CodeCheckerService"
        api = Api(url)
        v1_ids, v2_ids = run_ids(api, "big-v1"), run_ids(api, "big-v2")
        for name, fn in cases(url, v1_ids, v2_ids, args.checker):
            res = measure(fn, api, args.iterations,
                          parallel=name.startswith("web UI"))
            result["cases"][name] = res
            print(f"  {kind}: {name}: {fmt_cell(res)}  answer "
                  f"{res.get('answer', '-')}", flush=True)
        result["load"] = os.getloadavg()[0]
    finally:
        server.stop()
        if kind.endswith("-pg") and not args.keep:
            for db in ("ccrs_benchq_config", "ccrs_benchq_product",
                       "ccrs_benchq_ccconfig", "ccrs_benchq_ccproduct"):
                bench_store.pg_drop(args.pg, db)
        if not args.keep and not reuse:
            import shutil  # pylint: disable=import-outside-toplevel
            shutil.rmtree(server.work, ignore_errors=True)
    return result


def ms(seconds):
    value = seconds * 1000
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_cell(res, key=""):
    if res is None:
        return "–"
    if "error" in res:
        return f"error: {res['error']}"
    if key + "median" not in res:
        return "–"
    return f"{ms(res[key + 'median'])} / {ms(res[key + 'p90'])} ms"


def ratio(ours, reference, key=""):
    if not ours or not reference or key + "median" not in ours or \
            key + "median" not in reference:
        return "–"
    times = reference[key + "median"] / ours[key + "median"]
    return f"{times:,.0f}×" if times >= 10 else f"{times:.1f}×"


def table(results, key):
    """Markdown table of the medians and p90s under `key` ("" for the
    client's wall time, "wire_" for the HTTP time)."""
    kinds = [k for k in KINDS if k in results]
    names = []
    for k in kinds:
        for name in results[k]["cases"]:
            if name not in names:
                names.append(name)
    head = ["Case"] + [f"{SERVER_NAMES[k]} median / p90" for k in kinds]
    pairs = [(k, reference_of(k, results)) for k in kinds if k in OURS]
    pairs = [(k, ref) for k, ref in pairs if ref]
    head += [f"speed-up, {SERVER_NAMES[k]} vs {SERVER_NAMES[ref]}"
             for k, ref in pairs]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for name in names:
        row = [name] + [fmt_cell(results[k]["cases"].get(name), key)
                        for k in kinds]
        row += [ratio(results[k]["cases"].get(name),
                      results[ref]["cases"].get(name), key)
                for k, ref in pairs]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def first_table(results):
    """Markdown table of each case's first call (its warm-up: the servers
    were just started on the stored workspace, so this includes what a
    server does first, such as loading a run's report facts)."""
    kinds = [k for k in KINDS if k in results]
    names = []
    for k in kinds:
        for name in results[k]["cases"]:
            if name not in names:
                names.append(name)
    lines = ["| Case | " + " | ".join(SERVER_NAMES[k] for k in kinds) + " |",
             "|" + "---|" * (len(kinds) + 1)]
    for name in names:
        cells = []
        for k in kinds:
            res = results[k]["cases"].get(name) or {}
            cells.append(f"{ms(res['first_wire'])} ms" if "first_wire" in res
                         else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def store_table(results):
    kinds = [k for k in KINDS if k in results]
    return ["| Server | `CodeChecker store` big-v1 | `CodeChecker store` "
            "big-v2 |", "|---|---|---|"] + [
        f"| {SERVER_NAMES[k]} | {results[k]['store_v1_s']:.1f} s | "
        f"{results[k]['store_v2_s']:.1f} s |"
        for k in kinds if "store_v1_s" in results[k]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server-bin", required=True)
    ap.add_argument("--venv", default=os.environ.get("CC_PY_CURRENT"))
    ap.add_argument("--reports", type=int, default=100000,
                    help="reports in the base version (default 100000)")
    ap.add_argument("--iterations", type=int, default=15)
    ap.add_argument("--checker", default="core.DivideZero",
                    help="checker of the checker-name filter case")
    ap.add_argument("--servers", default="ours,codechecker",
                    help="comma-separated: ours, codechecker, codechecker-pg "
                    "(ours-pg comes with --pg; codechecker-pg needs --pg on "
                    "PostgreSQL 16 or newer)")
    ap.add_argument("--pg", default=None, metavar="HOST:PORT",
                    help="also run our server on this PostgreSQL")
    ap.add_argument("--api", default="6.74", help="API version in the URL")
    ap.add_argument("--work", default=None,
                    help="where corpora and workspaces go (corpora are kept "
                    "between runs in the same folder)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the servers' workspaces")
    ap.add_argument("--reuse", action="append", default=[],
                    metavar="KIND=DIR",
                    help="measure the runs an earlier `--keep` run left in "
                    "DIR (the server's folder printed then) instead of "
                    "storing them again; repeatable")
    ap.add_argument("--results-json", default=None)
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args()
    args.reuse = dict(item.split("=", 1) for item in args.reuse)
    if not args.venv:
        ap.error("--venv (or CC_PY_CURRENT) is needed")
    work = args.work or tempfile.mkdtemp(prefix="bench-queries-")
    os.makedirs(work, exist_ok=True)
    print(f"work folder: {work}", flush=True)

    v1_dir, v1 = corpus(args.venv, work, args.reports, "base")
    v2_dir, v2 = corpus(args.venv, work, args.reports, "evolved")
    print(f"corpus: big-v1 {v1['reports']:,} reports, big-v2 "
          f"{v2['reports']:,} reports", flush=True)

    results = {}
    if args.results_json and os.path.exists(args.results_json):
        with open(args.results_json, encoding="utf-8") as f:
            saved = json.load(f)
        if saved.get("reports") == args.reports:
            results = saved["servers"]
    kinds = [k for k in args.servers.split(",") if k]
    if args.pg and "ours-pg" not in kinds:
        kinds.insert(1 if "ours" in kinds else 0, "ours-pg")
    for kind in kinds:
        if kind not in SERVER_NAMES:
            ap.error(f"unknown server {kind}")
        print(f"{kind}:", flush=True)
        previous = results.get(kind, {})
        results[kind] = bench_server(kind, args, work, v1_dir, v2_dir)
        for key in ("store_v1_s", "store_v2_s"):
            if key not in results[kind] and key in previous:
                results[kind][key] = previous[key]
        results[kind]["date"] = datetime.date.today().isoformat()
        if args.results_json:
            with open(args.results_json, "w", encoding="utf-8") as f:
                json.dump({"reports": args.reports, "servers": results}, f,
                          indent=1)

    tables = (table(results, ""), table(results, "wire_"),
              store_table(results), first_table(results),
              table(results, "raw_"))
    print("\nAs the Python client sees it:")
    print("\n".join(tables[0]))
    print("\nHTTP round trips (client-side decoding excluded):")
    print("\n".join(tables[1]))
    print()
    print("\n".join(tables[2]))
    print("\nFirst call of each case after the server started:")
    print("\n".join(tables[3]))
    print("\nRaw replay (the same requests on bare sockets):")
    print("\n".join(tables[4]))
    check_answers(results)
    if args.markdown:
        write_markdown(args, v1, v2, results, tables)
    return 0


def check_answers(results):
    """Warns where the servers' answers to a case differ."""
    kinds = list(results)
    for name in results[kinds[0]]["cases"]:
        answers = {k: results[k]["cases"].get(name, {}).get("answer")
                   for k in kinds}
        known = {k: a for k, a in answers.items() if a is not None}
        if len({json.dumps(a) for a in known.values()}) > 1:
            print(f"warning: answers differ for {name}: {known}",
                  file=sys.stderr)


NOTES = "### Where the time goes"


def write_markdown(args, v1, v2, results, tables):
    """Replaces (or adds) the "## Reads" section of `args.markdown`; a
    hand-written "### Where the time goes" part of it is kept."""
    machine = subprocess.run(["sh", "-c", "nproc; grep -m1 'model name' "
                              "/proc/cpuinfo | cut -d: -f2"],
                             capture_output=True, text=True).stdout.split("\n")
    loads = ", ".join(f"{SERVER_NAMES[k]} {r['load']:.1f}"
                      for k, r in results.items() if "load" in r)
    dates = sorted({r["date"] for r in results.values() if "date" in r})
    wall, wire, stores, first, raw = tables
    section = [
        "## Reads", "",
        "`make bench-queries` (`tests/tools/bench_queries.py`): the report "
        "queries of `CodeChecker cmd` and of the web UI's reports page, "
        "asked through CodeChecker's own generated Python client "
        "(`codechecker_api` 6.29.1, Thrift JSON, a new HTTP connection per "
        "call as the `CodeChecker` client makes them) of our release build "
        "and of CodeChecker 6.29.1's server, each started on a fresh "
        "workspace with its default options and process counts, holding the "
        "same two runs stored with `CodeChecker store` 6.29.1:", "",
        f"* `big-v1`: {v1['reports']:,} reports (`store_corpus.py`, "
        f"{v1['files']:,} files, base version), tag v1;",
        f"* `big-v2`: {v2['reports']:,} reports (evolved version: a quarter "
        "of the reports gone, a quarter new, `deadcode.DeadStores` disabled, "
        "`unix.Malloc` unlisted), tag v2.", "",
        "    make bench-queries                       # 100,000 reports, "
        "SQLite and PostgreSQL",
        "    $CC_PY_CURRENT/bin/python tests/tools/bench_queries.py "
        "--server-bin target/release/codechecker-server --reports 5000", "",
        f"Each case ran once to warm up, then {args.iterations} times. The "
        "web UI case sends the reports list (severity order, as the UI "
        "asks it) and the sidebar counts at once, one thread and connection "
        "each, with the UI's default filter (new, reopened or unresolved; "
        "unreviewed or confirmed). Speed-up: CodeChecker's median over ours. "
        "`error` is the server's answer to a method it lacks.", "",
        f"Machine: {machine[0].strip()} cores,{machine[1].rstrip()}, shared "
        "with other agents' builds during the runs (load average at the end "
        f"of each server's cases: {loads}), so expect noise. "
        f"Date: {', '.join(dates)}.", "",
        "Wall time of each case as the Python client sees it (encoding, "
        "HTTP, the server's work, decoding; CodeChecker's pure-Python "
        "Thrift JSON decoding of 100 reports alone takes tens of ms):", ""
    ] + wall + [
        "", "HTTP time: from sending the request until the whole answer is "
        "read (for a group of calls, the sum; for the web UI case, until "
        "the last answer), the client's decoding left out:", ""
    ] + wire + [
        "", "Raw replay: the same request bodies sent again, each on a new "
        "connection from a bare socket with `Connection: close`, timed from "
        "the connect until the server closed the connection (for `cmd sum` "
        "the sum, for the web UI case all at once until the last answer); "
        "the least a client adds, so this is closest to the server's own "
        "time:", ""
    ] + raw + [
        "", "The first call of each case (its warm-up, HTTP time) on the "
        "just started servers, in the order of the table; on ours a case "
        "that is the first to ask about a run in an API process also loads "
        "that run's report facts:", ""
    ] + first + [
        "", "Storing the runs (whole `CodeChecker store` command with "
        "`CC_FORCE_SYNC_STORE=yes`), for scale:", ""] + stores + [""]
    text = ""
    if os.path.exists(args.markdown):
        with open(args.markdown, encoding="utf-8") as f:
            text = f.read()
    pattern = re.compile(r"^## Reads\n.*?(?=^## |\Z)", re.S | re.M)
    old = pattern.search(text)
    block = "\n".join(section) + "\n"
    if old and NOTES in old.group(0):
        block += "\n" + old.group(0)[old.group(0).index(NOTES):].rstrip("\n") \
            + "\n"
    if old:
        text = text[:old.start()] + block + ("\n" if text[old.end():] else "") \
            + text[old.end():]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    with open(args.markdown, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
