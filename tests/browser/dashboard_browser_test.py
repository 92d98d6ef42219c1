#!/usr/bin/python3
"""The IOM dashboard in a real browser.

Starts iomhubd (mTLS, development certificates, a temporary data directory,
127.0.0.1), fills it with the simulator, starts iomhub-dashboard, and drives
headless Chromium through Selenium and chromedriver:

  - the figures shown for Wales, an area and a team equal what
    CaseService.GetDashboard returns (`iomctl dashboard`), suppressed cells
    show as suppressed, and each chart leaves them out;
  - the page loads with no console error (a CSP violation would be one);
  - one appended event changes the page without a reload (server-sent events);
  - the decisions board needs a signed-in manager (403 without), shows with
    one, and the hub's disclosure audit names that manager;
  - the hub going away is shown, and the page recovers when it is back;
  - screenshots are saved in BUILD/dashboard-browser/.

  /usr/bin/python3 tests/browser/dashboard_browser_test.py SOURCE_DIR BUILD_DIR [--update-docs]

Exit 0 on success, 1 on failure, 77 (skipped) without chromium,
chromium-driver or python3-selenium. Run with Debian's /usr/bin/python3 (it
has python3-selenium; a pyenv python3 on PATH may not).
"""

import argparse
import ctypes
import datetime
import json
import math
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

SKIP = 77
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WEEKS = 6
AREA = "gwent"
TEAM = "gwent-newport"
MANAGER = "sgt-browser-test"

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _die_with_parent():
    _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphan if ctest kills us


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def wait_for(what, predicate, timeout=15.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shown(value):
    """What the dashboard writes for a figure (clients/dashboard/html.cc FormatValue)."""
    rounded = math.floor(value * 100 + 0.5) / 100
    if rounded == math.floor(rounded):
        return "%.0f" % rounded
    return ("%.2f" % rounded).rstrip("0")


class Run:
    def __init__(self, source, build):
        self.source = source
        self.build = build
        self.bin = os.path.join(build, "bin")
        self.certs = os.path.join(source, "deploy", "dev-certs", "out")
        self.work = tempfile.mkdtemp(prefix="iomhub-browser-")
        self.shots = os.path.join(build, "dashboard-browser")
        os.makedirs(self.shots, exist_ok=True)
        self.procs = {}
        self.driver = None
        self.hub_port = free_port()
        self.started = time.monotonic()

    def log(self, message):
        print(f"[{time.monotonic() - self.started:5.1f} s] {message}", flush=True)

    # --- processes -----------------------------------------------------------

    def spawn(self, name, argv, **kwargs):
        log = open(os.path.join(self.work, f"{name}.log"), "ab")
        kwargs.setdefault("stdout", log)
        proc = subprocess.Popen(argv, stderr=log, stdin=subprocess.DEVNULL,
                                preexec_fn=_die_with_parent, **kwargs)
        self.procs[name] = proc
        return proc

    def stop(self, name):
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def logs(self):
        for name in sorted(os.listdir(self.work)):
            if name.endswith(".log"):
                with open(os.path.join(self.work, name), errors="replace") as f:
                    tail = f.read()[-3000:]
                print(f"--- {name} (end) ---\n{tail}", file=sys.stderr)

    def close(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:  # the browser may already be gone
                pass
        for name in list(self.procs):
            self.stop(name)
        shutil.rmtree(self.work, ignore_errors=True)

    # --- the hub ---------------------------------------------------------------

    def start_hub(self):
        ready = os.path.join(self.work, "ready")
        if os.path.exists(ready):
            os.remove(ready)
        self.spawn("iomhubd", [
            os.path.join(self.bin, "iomhubd"), "--config=deploy/config/hub.textproto",
            f"--data_dir={self.work}/data", f"--listen=127.0.0.1:{self.hub_port}",
            "--metrics_listen=off", f"--ready_file={ready}", "--unsafe_no_sync"],
            cwd=self.source)
        wait_for("iomhubd to serve", lambda: os.path.exists(ready)
                 or self.procs["iomhubd"].poll() is not None, timeout=30)
        check(self.procs["iomhubd"].poll() is None, "iomhubd exited at start")

    def ctl(self, system, role, purpose, *args, stdin=None):
        argv = [os.path.join(self.bin, "iomctl"), f"--hub=127.0.0.1:{self.hub_port}",
                f"--ca={self.certs}/ca.pem", f"--cert={self.certs}/{system}.pem",
                f"--key={self.certs}/{system}.key", f"--user=browser-test-{role}",
                f"--role={role}", f"--purpose={purpose}", *args]
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60)
        check(done.returncode == 0, f"iomctl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def hub_dashboard(self, scope, min_position):
        flags = [f"--{k}={v}" for k, v in scope.items()]
        out = self.ctl("iom-dashboard", "analyst", "iom_performance", "dashboard",
                       f"--weeks={WEEKS}", f"--min_position={min_position}", *flags)
        return json.loads(out)

    def fill(self):
        """Three simulated weeks ending this ISO week (steps after now are not sent)."""
        simulate = os.path.join(self.bin, "iomhub-simulate")
        check(os.access(simulate, os.X_OK), f"{simulate} is not built")
        done = subprocess.run([
            simulate, f"--hub=127.0.0.1:{self.hub_port}", f"--cert_dir={self.certs}",
            "--weeks=3", "--seed=13"], capture_output=True, text=True, timeout=120, cwd=self.source)
        check(done.returncode == 0, f"iomhub-simulate: {done.stderr.strip()[-2000:]}")
        self.log(f"simulated 3 weeks: {(done.stdout + done.stderr).strip()[-300:]}")

    # --- the dashboard -----------------------------------------------------------

    def start_dashboard(self):
        c = self.certs
        proc = self.spawn("iomhub-dashboard", [
            os.path.join(self.bin, "iomhub-dashboard"), f"--hub=127.0.0.1:{self.hub_port}",
            f"--ca={c}/ca.pem", f"--cert={c}/iom-dashboard.pem", f"--key={c}/iom-dashboard.key",
            "--listen=127.0.0.1:0", "--poll_interval=300ms", f"--weeks={WEEKS}",
            "--user_header=X-Forwarded-User", "--role_header=X-Forwarded-Role",
            f"--board_cert_dir={c}",
            "--board_police_systems=" + ",".join(
                f"{a}={a}-police-niche" for a in ("gwent", "south-wales", "dyfed-powys", "north-wales")),
            "--board_probation_systems=gwent=wales-probation-ndelius," + ",".join(
                f"{a}={a}-probation-ndelius" for a in ("south-wales", "dyfed-powys", "north-wales"))],
            stdout=subprocess.PIPE)
        ready, _, _ = select.select([proc.stdout], [], [], 15)
        check(ready, "iomhub-dashboard printed no URL in 15 s")
        line = proc.stdout.readline().decode().strip()
        check(line.startswith("dashboard: serving http://"), f"unexpected first line: {line!r}")
        self.url = line.split("serving ", 1)[1].rstrip("/")
        self.log(f"dashboard at {self.url}")

    def http(self, path, headers=None):
        request = urllib.request.Request(self.url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    # --- the browser -------------------------------------------------------------

    def start_browser(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1400,1000", f"--user-data-dir={self.work}/chromium",
                    "--no-first-run", "--disable-extensions", "--lang=en-GB"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(CHROMEDRIVER, log_path=os.path.join(self.work, "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(30)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def position(self):
        return int(self.js("const m = document.getElementById('main');"
                           "return m ? Number(m.dataset.viewPosition || 0) : -1;"))

    def load(self, path):
        self.driver.get(self.url + path)
        wait_for(f"{path} to render", lambda: self.js("return document.readyState") == "complete")

    def page_tables(self):
        return self.js("""
          return Array.from(document.querySelectorAll('#main table.figures')).map(t => ({
            id: t.dataset.tableId, chart: t.dataset.chart,
            hasCanvas: !!(t.previousElementSibling && t.previousElementSibling.querySelector('canvas')),
            rows: Array.from(t.querySelectorAll('tbody tr, tfoot tr')).map(r => {
              const v = r.querySelector('td.value');
              return {key: r.dataset.key, foot: r.parentNode.tagName === 'TFOOT',
                      text: v.textContent.trim(), suppressed: v.dataset.suppressed === 'true'};
            })}));""")

    def chart_problems(self):
        """Charts that plot a suppressed cell, or that are missing."""
        return self.js("""
          const problems = [];
          document.querySelectorAll('#main table.figures').forEach(t => {
            const box = t.previousElementSibling;
            const canvas = box && box.querySelector('canvas');
            const rows = Array.from(t.tBodies[0].rows);
            const values = rows.filter(r => !r.querySelector('td.value').dataset.suppressed);
            const drawable = ['bar', 'line', 'doughnut'].includes(t.dataset.chart);
            if (!drawable || values.length === 0) { if (canvas) problems.push(t.dataset.tableId + ': chart without data'); return; }
            if (!canvas) { problems.push(t.dataset.tableId + ': no chart'); return; }
            const chart = Chart.getChart(canvas);
            if (!chart) { problems.push(t.dataset.tableId + ': canvas not drawn'); return; }
            const data = chart.data.datasets[0].data;
            if (t.dataset.chart === 'doughnut') {
              if (data.length !== values.length) problems.push(t.dataset.tableId + ': doughnut has suppressed slices');
            } else {
              rows.forEach((r, i) => {
                if (r.querySelector('td.value').dataset.suppressed && data[i] !== null)
                  problems.push(t.dataset.tableId + ': plots suppressed ' + r.dataset.key);
              });
            }
          });
          return problems;""")

    def compare(self, scope, label):
        """The page's figures equal GetDashboard's at the page's position."""
        position = self.position()
        check(position > 0, f"{label}: the page shows no log position")
        hub = self.hub_dashboard(scope, position)
        check(int(hub.get("viewPosition", "0")) == position,
              f"{label}: the hub is at {hub.get('viewPosition')} but the page at {position}")
        page = {t["id"]: t for t in self.page_tables()}
        check(sorted(t["id"] for t in hub["tables"]) == sorted(page),
              f"{label}: tables differ: hub {[t['id'] for t in hub['tables']]}, page {list(page)}")
        numbers = suppressed = 0
        for table in hub["tables"]:
            rows = page[table["id"]]["rows"]
            cells = table.get("cells", []) + ([table["total"]] if "total" in table else [])
            check(len(rows) == len(cells), f"{label} {table['id']}: {len(rows)} rows for {len(cells)} cells")
            for cell, row in zip(cells, rows):
                check(row["key"] == cell["key"], f"{label} {table['id']}: row {row['key']} for {cell['key']}")
                want = "suppressed" if cell.get("suppressed") else shown(cell.get("value", 0))
                check(row["text"] == want and row["suppressed"] == bool(cell.get("suppressed")),
                      f"{label} {table['id']} {cell['key']}: page shows {row['text']!r}, hub says {want!r}")
                suppressed += bool(cell.get("suppressed"))
                numbers += not cell.get("suppressed") and cell.get("value", 0) > 0
        problems = self.chart_problems()
        check(not problems, f"{label}: charts: {problems}")
        self.log(f"{label}: {len(hub['tables'])} tables at position {position}: {numbers} "
                 f"non-zero figures and {suppressed} suppressed cells equal the hub's")
        return hub, numbers, suppressed

    def screenshot(self, name, height=None):
        """The whole page, or its top `height` pixels."""
        if height is None:
            height = self.js("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1400, max(600, min(int(height), 12000)))
        path = os.path.join(self.shots, name)
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1400, 1000)
        return path

    def console_errors(self):
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]

    # --- the checks ----------------------------------------------------------------

    def figures(self):
        totals = [0, 0]
        for path, scope, label in (("/", {}, "Wales"), (f"/area/{AREA}", {"area": AREA}, "Gwent"),
                                   (f"/team/{TEAM}", {"team": TEAM}, "Newport IOM")):
            self.load(path)
            _, numbers, suppressed = self.compare(scope, label)
            totals[0] += numbers
            totals[1] += suppressed
            self.screenshot(label.lower().replace(" ", "-") + ".png")
        check(totals[0] > 10, f"only {totals[0]} non-zero figures: the simulation filled too little")
        check(totals[1] > 0, "no suppressed cell anywhere: suppression is untested")
        errors = self.console_errors()
        check(not errors, f"browser console errors: {errors}")

    def live_event(self):
        self.load(f"/team/{TEAM}")
        before_hub, _, _ = self.compare({"team": TEAM}, "Newport IOM before the event")
        before = self.position()
        self.js("window.__sameDocument = 'yes';")
        person = f"person-{uuid.uuid4()}"
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.ctl("gwent-police-niche", "sergeant", "iom_case_management", "append",
                 f"--stream={person}", "--expected=no_stream", "--generate_ids", stdin=json.dumps(
                     {"occurredAt": now, "nominalReferred": {
                         "teamId": TEAM, "referralReason": "browser test: repeat burglary",
                         "dateOfBirth": "1999-04-01T00:00:00Z"}}))
        self.ctl("wales-probation-ndelius", "probation_officer", "iom_case_management", "append",
                 f"--stream={person}", "--expected=0", "--generate_ids", stdin=json.dumps(
                     {"occurredAt": now, "cohortSelected": {
                         "cohort": "COHORT_FIXED", "strand": "STRAND_NEIGHBOURHOOD_CRIME",
                         "teamId": TEAM, "leadPractitioner": "NPS-GW-TEST"}}))
        wait_for("the page to take the live event", lambda: self.position() > before, timeout=20)
        check(self.js("return window.__sameDocument") == "yes", "the page reloaded instead of updating")
        after_hub, _, _ = self.compare({"team": TEAM}, "Newport IOM after the event")
        check(before_hub["tables"] != after_hub["tables"], "the event changed no figure at the hub")
        live = self.driver.find_element("id", "live").text
        check("Live: updated" in live, f"the live line says {live!r}")
        self.log(f"a live event moved the page from position {before} to {self.position()} "
                 "without a reload")

    def board(self):
        status, body = self.http(f"/team/{TEAM}/board")
        check(status == 403 and "needs a signed-in manager" in body,
              f"board without a manager: {status}")
        status, _ = self.http(f"/team/{TEAM}/board",
                              {"X-Forwarded-User": MANAGER, "X-Forwarded-Role": "police_officer"})
        check(status == 403, f"board for a police officer: {status}, want 403")
        status, body = self.http("/api/board?team=south-wales-cardiff", {
            "X-Forwarded-User": "spo-browser-test", "X-Forwarded-Role": "senior_probation_officer"})
        check(status == 200 and '"team"' in body, f"South Wales board for an SPO: {status} {body[:200]}")
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {
            "X-Forwarded-User": MANAGER, "X-Forwarded-Role": "sergeant"}})
        self.load(f"/team/{TEAM}/board")
        heading = self.driver.find_element("tag name", "h1").text
        check("decisions board" in heading, f"board page heading: {heading!r}")
        check(f"Signed in as {MANAGER}" in self.driver.find_element("tag name", "main").text,
              "the board does not name the signed-in manager")
        rows = self.js("return document.querySelectorAll('table.board tbody tr').length")
        self.screenshot("board.png")
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})
        audit = self.ctl("ico-auditor", "auditor", "audit", "audit", "query",
                         f"--by_user={MANAGER}")
        check(audit.strip(), f"the disclosure audit has nothing by {MANAGER}")
        self.log(f"board: 403 without a manager, {rows} considerations for {MANAGER}, "
                 f"{len(audit.strip().splitlines())} audit records name them")

    def outage(self):
        self.load("/")
        self.stop("iomhubd")
        self.log("hub stopped")
        wait_for("the page to say the hub is not answering", lambda: self.js(
            "const l = document.getElementById('live'); return l.dataset.state === 'down' && "
            "l.textContent.includes('not answering');"), timeout=20)
        self.driver.refresh()
        check(self.driver.find_element("tag name", "h1").text == "Hub unavailable",
              "a page loaded while the hub is down does not say so")
        self.start_hub()
        self.log("hub restarted")
        wait_for("the page to recover by itself", lambda: self.js(
            "const h = document.querySelector('#main h1'); return h && h.textContent === 'Wales'"),
            timeout=30)
        self.log("hub stopped: the page said so; restarted: the page recovered without a reload")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source")
    parser.add_argument("build")
    parser.add_argument("--update-docs", action="store_true",
                        help="copy the Wales screenshot to docs/dashboard.png")
    args = parser.parse_args()
    try:
        import selenium  # noqa: F401  (python3-selenium)
    except ImportError:
        print("dashboard_browser_test: SKIP: python3-selenium is not installed")
        return SKIP
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            print(f"dashboard_browser_test: SKIP: {path} is missing (chromium, chromium-driver)")
            return SKIP
    source, build = os.path.abspath(args.source), os.path.abspath(args.build)
    subprocess.run(["bash", os.path.join(source, "deploy", "dev-certs.sh")], check=True,
                   stdout=subprocess.DEVNULL)
    run = Run(source, build)
    try:
        run.start_hub()
        run.fill()
        run.start_dashboard()
        run.start_browser()
        run.figures()
        run.live_event()
        run.board()
        run.outage()
        if args.update_docs:
            run.load("/")
            shutil.copy(run.screenshot("docs.png", height=1250),
                        os.path.join(source, "docs", "dashboard.png"))
        run.log(f"OK; screenshots in {run.shots}")
        return 0
    except Exception as error:  # report, with the processes' logs, then clean up
        print(f"dashboard_browser_test: FAIL: {error}", file=sys.stderr)
        if run.driver is not None:
            try:
                print(f"screenshot: {run.screenshot('failure.png')}", file=sys.stderr)
            except Exception:
                pass
        run.logs()
        return 1
    finally:
        run.close()


if __name__ == "__main__":
    sys.exit(main())
