#!/usr/bin/env python3
"""Web UI benchmark: the reports page and the statistics overview page of
CodeChecker's own web UI, on our server and on CodeChecker 6.29.1's, with
the same data: one run of 100,000 reports with a history of 20 stores.

    bench_ui.py --server-bin target/release/codechecker-server \\
                [--reports 100000] [--servers ours,codechecker] \\
                [--work DIR] [--keep] [--reuse KIND=DIR] [--markdown FILE]

The run `ui` is stored 20 times with CodeChecker 6.29.1's client: 19 small
versions (1,000 reports each, alternately the base and the evolved corpus),
each tagged, then the 100,000-report base corpus of bench_queries.py. For
each server and page:

* the page in headless chromium (driven through chromedriver; a script
  injected before the app loads records the page's API calls, its long
  tasks, and the first frame in which each of the page's marks holds): the
  time from the navigation's start until each mark (the reports table drawn
  with rows; the page shown in full, every loading bar gone), the median of
  several loads after a first one that warms the browser's cache and the
  server, and how much of the time until then was the page's own
  JavaScript (long tasks);
* the page's API calls, as recorded, replayed all at once on bare sockets
  (one thread and connection each, as the browser sends them): the time
  until the last answer, median of the replays.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_queries  # noqa: E402  pylint: disable=wrong-import-position
import bench_store  # noqa: E402  pylint: disable=wrong-import-position

RUN = "ui"

# Notes every POST the app makes (XMLHttpRequest, as its Thrift client does).
RECORDER = r"""
(() => {
  const rec = { calls: [] };
  window.__bench = rec;
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__b = { url: String(url), post: method === "POST" };
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function (body) {
    const info = this.__b || {};
    if (info.post) {
      const call = { url: info.url, request: String(body), done: false,
                     sent: performance.now() };
      rec.calls.push(call);
      this.addEventListener("loadend", () => {
        call.done = true;
        call.status = this.status;
        call.answered = performance.now();
      });
    }
    return send.apply(this, arguments);
  };
  // The first frame in which each of the pages' marks holds (MARKS, filled
  // in below), and the main thread's long tasks (the page's own work).
  rec.marks = {};
  rec.long = [];
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) rec.long.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) { /* no long task timing: rec.long stays empty */ }
  const marks = MARKS;
  const frame = () => {
    for (const [name, holds] of Object.entries(marks)) {
      if (!(name in rec.marks) && holds()) rec.marks[name] = performance.now();
    }
    if (performance.now() < 120000) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""

# Each page: its path, and its marks, in the order they are reached: what
# the page shows when it is ready (a JavaScript condition). The last mark is
# the page shown in full (every loading bar gone); the reports page's first,
# its table drawn with rows, is issue 12's "table rendered".
PAGES = {
    "reports": ("/Default/reports?run=" + RUN, {
        "table": "document.querySelectorAll('tbody tr').length > 1",
        "settled": "document.querySelectorAll('tbody tr').length > 1"
                   " && !document.querySelector("
                   "'.v-data-table__progress, .v-progress-linear--active')",
    }),
    "overview": ("/Default/statistics/overview?run=" + RUN, {
        "settled": "document.body.innerText.includes('Outstanding')"
                   " && !document.querySelector("
                   "'.v-progress-linear--active, .v-progress-circular')",
    }),
}

MARKS = "{" + ", ".join(
    f"{json.dumps(page + '.' + mark)}: () => ({cond})"
    for page, (_, marks) in PAGES.items() for mark, cond in marks.items()) \
    + "}"


class Browser:
    """Headless chromium through chromedriver's W3C WebDriver API."""

    def __init__(self):
        self.port = bench_store.free_port()
        self.profile = tempfile.mkdtemp(prefix="bench-ui-profile-")
        self.driver = subprocess.Popen(
            ["chromedriver", f"--port={self.port}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                self.raw("GET", "/status")
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1400,1000",
                         f"--user-data-dir={self.profile}"]}}}}
        self.session = self.raw("POST", "/session", caps)["value"]["sessionId"]
        self.cmd("goog/cdp/execute",
                 {"cmd": "Page.addScriptToEvaluateOnNewDocument",
                  "params": {"source": RECORDER.replace("MARKS", MARKS)}})

    def raw(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read())

    def cmd(self, path, body):
        return self.raw("POST", f"/session/{self.session}/{path}",
                        body)["value"]

    def eval(self, script):
        return self.cmd("execute/sync", {"script": script, "args": []})

    def load(self, url, page, timeout=120):
        """Navigates to `url`; returns the page's marks (ms from the
        navigation's start, the page's own clock, as `{mark: ms}`), the API
        calls it made, and its long tasks ([start, duration] in ms)."""
        self.cmd("url", {"url": url})
        last = f"{page}.{list(PAGES[page][1])[-1]}"
        deadline = time.time() + timeout
        while self.eval(f"return window.__bench.marks[{json.dumps(last)}]"
                        " === undefined"):
            if time.time() > deadline:
                raise RuntimeError(f"{url}: not ready after {timeout} s")
            time.sleep(0.02)
        # Let the calls still in flight end, then take the record.
        quiet = None
        while time.time() < deadline:
            pending = self.eval("return window.__bench.calls"
                                ".filter(c => !c.done).length")
            if pending == 0:
                quiet = quiet or time.time()
                if time.time() - quiet > 0.7:
                    break
            else:
                quiet = None
            time.sleep(0.05)
        rec = self.eval("return window.__bench")
        marks = {name.split(".", 1)[1]: at for name, at in rec["marks"].items()
                 if name.startswith(page + ".")}
        return marks, rec["calls"], rec["long"]

    def waterfall(self):
        """The last load's timeline: the document's and every resource's
        fetch (name, start, end, server time in ms of the page's clock)."""
        return self.eval(
            "return performance.getEntriesByType('navigation')"
            ".concat(performance.getEntriesByType('resource'))"
            ".map(e => [e.name.replace(location.origin, ''), e.startTime,"
            " e.responseEnd, e.responseStart - e.requestStart,"
            " e.transferSize])")

    def load_split(self, url, page):
        """`load`, and where the time until the page was shown in full went:
        the marks, the first call sent, the last answer before, and the
        long tasks' total until then (ms of the page's clock)."""
        marks, calls, long_tasks = self.load(url, page)
        at = marks[list(PAGES[page][1])[-1]]
        sent = [c["sent"] for c in calls if "sent" in c]
        answered = [c["answered"] for c in calls
                    if c.get("answered") is not None and c["answered"] <= at]
        busy = sum(min(d, at - t) for t, d in long_tasks if t < at)
        return {"marks": marks, "first_call": min(sent) if sent else None,
                "last_answer": max(answered) if answered else None,
                "long_tasks": busy}, calls

    def close(self):
        try:
            self.raw("DELETE", f"/session/{self.session}")
        except OSError:
            pass
        self.driver.terminate()
        self.driver.wait(timeout=30)


def store_history(server, venv, work, reports, history):
    """Stores the run's `history` small versions and then the big one;
    returns the seconds each took."""
    small = [bench_queries.corpus(venv, os.path.join(work, "history"), 1000,
                                  version)[0]
             for version in ("base", "evolved")]
    big, _ = bench_queries.corpus(venv, work, reports, "base")
    times = []
    for i in range(history):
        times.append(bench_queries.store(server, small[i % 2], RUN, f"h{i + 1}"))
        print(f"  {server.kind}: store {i + 1} of {history + 1} in "
              f"{times[-1]:.1f} s", flush=True)
    times.append(bench_queries.store(server, big, RUN, "latest"))
    print(f"  {server.kind}: store {history + 1} ({reports:,} reports) in "
          f"{times[-1]:.1f} s", flush=True)
    return times


def bench_server(kind, args, work):
    reuse = args.reuse.get(kind)
    server = bench_store.Server(kind, args, work, pg_prefix="ccrs_benchui",
                                reuse=reuse)
    result = {"pages": {}}
    browser = None
    try:
        print(f"  {kind}: server folder {server.work}", flush=True)
        if not reuse:
            result["stores_s"] = store_history(server, args.venv, work,
                                               args.reports, args.history)
        browser = Browser()
        for name, (path, marks) in PAGES.items():
            url = server.url + path
            first, calls, _ = browser.load(url, name)
            splits = [browser.load_split(url, name)[0]
                      for _ in range(args.loads)]
            last = list(marks)[-1]
            # The median load (by its page shown in full) and where its time
            # went: until its first API call (the app's code loading and
            # starting), its API calls (until the last answer before the
            # page was shown), and after (drawing); and how much of it all
            # the page's own JavaScript took (long tasks).
            median = sorted(splits, key=lambda x: x["marks"][last])[
                len(splits) // 2]
            at, sent, answered = (median["marks"][last], median["first_call"],
                                  median["last_answer"])
            failed = [c for c in calls if c.get("status") != 200]
            bodies = [(urllib.parse.urlsplit(
                urllib.parse.urljoin(url, c["url"])).path,
                c["request"].encode()) for c in calls]
            replays = [bench_queries.raw_replay(server.url, bodies, True)
                       for _ in range(args.replays)]
            methods = sorted({json.loads(c["request"])[1] for c in calls})
            # Each call alone: the slowest say where the page's time goes.
            parts = urllib.parse.urlsplit(server.url)
            alone = sorted(
                ((bench_queries.raw_call(parts.hostname, parts.port, path,
                                         body) * 1000,
                  json.loads(body)[1]) for path, body in bodies),
                reverse=True)
            page = {
                "first_ms": first,
                "marks_ms": {mark: statistics.median(
                    x["marks"][mark] for x in splits) for mark in marks},
                "loads_ms": [x["marks"] for x in splits],
                "median_ms": at,
                "long_tasks_ms": median["long_tasks"],
                "split_ms": {"before_calls": sent, "calls": (
                    answered - sent if sent is not None and answered
                    is not None else None), "after_calls": (
                    at - answered if answered is not None else None)},
                "calls": len(calls),
                "failed": len(failed),
                "methods": methods,
                "slowest_alone_ms": [[round(ms_, 2), m]
                                     for ms_, m in alone[:5]],
                "replay_ms": statistics.median(replays) * 1000,
                "replay_p90_ms": sorted(replays)[
                    max(0, int(0.9 * len(replays) + 0.5) - 1)] * 1000,
            }
            result["pages"][name] = page
            if args.waterfall:
                print_waterfall(browser, url, name)
            shown = ", ".join(f"{mark} at {ms_:.0f} ms"
                              for mark, ms_ in page["marks_ms"].items())
            print(f"  {kind}: {name}: {len(calls)} calls ({len(failed)} "
                  f"failed), {shown} (first load: {first}); the page's "
                  f"JavaScript until then {page['long_tasks_ms']:.0f} ms; "
                  f"the calls replayed at once in {page['replay_ms']:.1f} "
                  f"ms; split {page['split_ms']}; slowest alone "
                  f"{page['slowest_alone_ms']}", flush=True)
        result["load"] = os.getloadavg()[0]
    finally:
        if browser:
            browser.close()
        server.stop()
        if not args.keep and not reuse:
            import shutil  # pylint: disable=import-outside-toplevel
            shutil.rmtree(server.work, ignore_errors=True)
    return result


def print_waterfall(browser, url, page):
    """One more load of `url`, printed as a timeline: each fetch (the
    document, scripts, styles, API calls by method) with its start and end
    and the server's part, and the long tasks, in ms from the navigation's
    start."""
    marks, calls, long_tasks = browser.load(url, page)
    methods = iter([json.loads(c["request"])[1] for c in calls])
    print(f"    waterfall (marks {marks}):")
    events = [(start, f"{start:7.1f} {start + d:7.1f} {d:6.1f} long task")
              for start, d in long_tasks]
    for name, start, end, server_ms, size in browser.waterfall():
        if "/v6." in name or "/v7." in name:
            name = f"{name.rsplit('/', 1)[-1]}.{next(methods, '?')}"
        events.append((start, f"{start:7.1f} {end:7.1f} {end - start:6.1f} "
                       f"(server {server_ms:5.1f}) {size:>8} {name[:80]}"))
    for _, line in sorted(events):
        print("    " + line)


def table(results):
    kinds = [k for k in ("ours", "codechecker") if k in results]
    head = ["Page"] + [f"{bench_queries.SERVER_NAMES[k]}: {what}"
                       for k in kinds
                       for what in ("calls", "calls at once", "shown (marks)",
                                    "its JavaScript")]
    if len(kinds) == 2:
        head += ["speed-up, calls at once"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in PAGES:
        row = [name]
        for k in kinds:
            p = results[k]["pages"].get(name, {})
            marks = ", ".join(f"{mark} {ms_:.0f} ms"
                              for mark, ms_ in p.get("marks_ms", {}).items())
            row += [f"{p.get('calls', '–')} ({p.get('failed', 0)} failed)",
                    f"{p['replay_ms']:.1f} ms" if p else "–",
                    marks or "–",
                    f"{p['long_tasks_ms']:.0f} ms" if p else "–"]
        if len(kinds) == 2:
            ours = results["ours"]["pages"].get(name)
            ref = results["codechecker"]["pages"].get(name)
            if ours and ref:
                row += [f"{ref['replay_ms'] / ours['replay_ms']:.0f}×"]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server-bin", required=True)
    ap.add_argument("--venv", default=os.environ.get("CC_PY_CURRENT"))
    ap.add_argument("--reports", type=int, default=100000)
    ap.add_argument("--servers", default="ours,codechecker")
    ap.add_argument("--history", type=int, default=19,
                    help="small stores before the big one (19: 20 in all)")
    ap.add_argument("--loads", type=int, default=5,
                    help="timed loads of each page after the first")
    ap.add_argument("--replays", type=int, default=15)
    ap.add_argument("--waterfall", action="store_true",
                    help="print one more load of each page as a timeline")
    ap.add_argument("--work", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--reuse", action="append", default=[],
                    metavar="KIND=DIR")
    ap.add_argument("--pg", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--results-json", default=None)
    args = ap.parse_args()
    args.reuse = dict(item.split("=", 1) for item in args.reuse)
    if not args.venv:
        ap.error("--venv (or CC_PY_CURRENT) is needed")
    # The servers run with HOME in their own folder: point ours at the UI
    # bundle that `make run` (tools/fetch-www.sh) keeps in the real cache.
    cache = os.environ.get("XDG_CACHE_HOME") or \
        os.path.join(os.path.expanduser("~"), ".cache")
    www = os.path.join(cache, "codechecker-rs", "www", "6.29.1")
    if "CC_WWW_ROOT" not in os.environ and os.path.isdir(www):
        os.environ["CC_WWW_ROOT"] = www
    work = args.work or tempfile.mkdtemp(prefix="bench-ui-")
    os.makedirs(work, exist_ok=True)
    print(f"work folder: {work}", flush=True)
    results = {}
    for kind in [k for k in args.servers.split(",") if k]:
        print(f"{kind}:", flush=True)
        results[kind] = bench_server(kind, args, work)
        results[kind]["date"] = datetime.date.today().isoformat()
        if args.results_json:
            with open(args.results_json, "w", encoding="utf-8") as f:
                json.dump(results, f, indent=1)
    print()
    print("\n".join(table(results)))
    for name in PAGES:
        lists = {k: r["pages"].get(name, {}).get("methods")
                 for k, r in results.items()}
        if len({json.dumps(v) for v in lists.values()}) > 1:
            print(f"note: the {name} page called different methods: {lists}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
