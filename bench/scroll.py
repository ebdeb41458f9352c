#!/usr/bin/env python3
"""Is the invoice list smooth with 100,000 (and 1,000,000) invoices? The release app in
a real window under Xvfb, driven through WebDriver (tauri-driver in front of
WebKitWebDriver, spoken to over plain HTTP): the list is scrolled by 400 px (about 10
rows) every frame for 600 frames, loading pages of 200 from the backend as it goes, and
every frame's interval is recorded in the page with requestAnimationFrame. Then a
search is typed and the time until the filtered list is drawn is taken.

Run through `./x bench-app` (after app.py, with its seeded data folders). Software
rendering (no GPU under Xvfb): the figures are this machine's, for comparison over time.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from app import start_xvfb

SCROLL = r"""
const done = arguments[arguments.length - 1];
const el = document.querySelector('.list-scroll');
const frames = [];
let last = performance.now();
let step = 0;
function tick(now) {
  frames.push(now - last);
  last = now;
  el.scrollTop += 400;
  if (++step < 600) requestAnimationFrame(tick);
  else setTimeout(() => done({ frames, scrollTop: el.scrollTop, scrollHeight: el.scrollHeight,
    rows: document.querySelectorAll('tr.invoice-row').length }), 300);
}
requestAnimationFrame(tick);
"""

SEARCH = r"""
const done = arguments[arguments.length - 1];
const input = document.getElementById('invoice-search');
const count = document.getElementById('invoice-count');
const before = count.textContent;
const t0 = performance.now();
input.value = arguments[0];
input.dispatchEvent(new Event('input', { bubbles: true }));
(function wait() {
  if (count.textContent !== before) done({ ms: performance.now() - t0, count: count.textContent });
  else if (performance.now() - t0 > 20000) done({ ms: null, count: count.textContent });
  else requestAnimationFrame(wait);
})();
"""


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b'{}').get('value')


def wait_port(port, timeout=30):
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            socket.create_connection(('127.0.0.1', port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f'nothing listens on {port}')


def run(app, data, env):
    port, native = free_port(), free_port()
    home = Path(tempfile.mkdtemp(prefix='paydesk-scroll-'))
    e = dict(env, PAYDESK_DATA_DIR=str(data), XDG_DATA_HOME=str(home / 'd'), XDG_CONFIG_HOME=str(home / 'c'),
             XDG_CACHE_HOME=str(home / 'k'), PAYDESK_SANDBOX_PORT=str(free_port()))
    driver = subprocess.Popen(['tauri-driver', '--port', str(port), '--native-port', str(native)], env=e,
                              stdout=subprocess.DEVNULL, stderr=None if os.environ.get('BENCH_VERBOSE') else subprocess.DEVNULL)
    try:
        wait_port(port)
        wait_port(native)
        base = f'http://127.0.0.1:{port}'
        sid = call(base, 'POST', '/session', {'capabilities': {'alwaysMatch': {
            'browserName': 'wry', 'tauri:options': {'application': str(app)}}}})['sessionId']
        s = f'/session/{sid}'
        call(base, 'POST', s + '/timeouts', {'script': 600000})
        t0 = time.time()
        while call(base, 'POST', s + '/execute/sync',
                   {'script': "return document.querySelectorAll('tr.invoice-row').length", 'args': []}) == 0:
            if time.time() - t0 > 60:
                raise SystemExit('the list did not show')
            time.sleep(0.1)
        time.sleep(2)
        r = call(base, 'POST', s + '/execute/async', {'script': SCROLL, 'args': []})
        f = sorted(r['frames'][1:])
        search = call(base, 'POST', s + '/execute/async', {'script': SEARCH, 'args': ['김민준']})
        call(base, 'DELETE', s)
        return {
            'frames': len(f), 'median': statistics.median(f), 'p95': f[int(len(f) * 0.95)],
            'p99': f[int(len(f) * 0.99)], 'max': f[-1], 'over50': sum(1 for x in f if x > 50),
            'rows_scrolled': int(r['scrollTop'] / 38), 'drawn': r['rows'], 'search_ms': search['ms'],
            'search_count': search['count'],
        }
    finally:
        driver.terminate()
        driver.wait(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--app', required=True, type=Path)
    ap.add_argument('--data', required=True, type=Path)
    ap.add_argument('--sizes', default='100000,1000000')
    args = ap.parse_args()
    env = dict(os.environ)
    xvfb = None
    if not env.get('DISPLAY'):
        xvfb, env['DISPLAY'] = start_xvfb()
    try:
        print('\n| invoices | frames | frame interval median / p95 / p99 / max | frames > 50 ms | rows scrolled | rows drawn | search "김민준" drawn in |')
        print('|---|---|---|---|---|---|---|')
        for n in [int(x) for x in args.sizes.split(',')]:
            m = run(args.app.resolve(), args.data / str(n), env)
            print(f"| {n:,} | {m['frames']} | {m['median']:.1f} / {m['p95']:.1f} / {m['p99']:.1f} / {m['max']:.1f} ms | "
                  f"{m['over50']} | {m['rows_scrolled']:,} | {m['drawn']} | {m['search_ms']:.0f} ms ({m['search_count']}) |",
                  flush=True)
    finally:
        if xvfb:
            xvfb.terminate()


if __name__ == '__main__':
    main()
