#!/usr/bin/env python3
"""Start-up time and idle memory of the PayDesk release app against a bare Tauri v2
"hello" app built with the same release profile, on this machine, in one run.

Run through `./x bench-app` (it builds what is needed and gives this script a
display-less session bus); figures go to docs/benchmarks.md by hand.

- launch: from just before the process is spawned until the app appends its start-up
  mark (PayDesk: the invoice list is on screen; bare app: its page is painted), median
  of LAUNCHES warm launches after one discarded cold launch;
- memory: PSS and RSS summed over the app and every process it started (the web view's
  web and network processes), 30 s after the mark;
- at 10, 100,000 and 1,000,000 invoices (settled history seeded by
  `cargo run --release -p paydesk-store --example seed`).
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def start_xvfb():
    """A virtual display of its own number (WebKit's web process could not open :0 here)."""
    n = next(n for n in range(120, 200) if not Path(f'/tmp/.X11-unix/X{n}').exists())
    xvfb = subprocess.Popen(['Xvfb', f':{n}', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'],
                            stderr=subprocess.DEVNULL)
    time.sleep(1)
    return xvfb, f':{n}'


def descendants(pid):
    """pid and every process below it."""
    children = {}
    for d in Path('/proc').iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / 'stat').read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(')', 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory_kib(pid):
    """(PSS, RSS) in KiB summed over the process tree, and the process names."""
    pss = rss = 0
    names = []
    for p in descendants(pid):
        try:
            mine = 0
            for line in Path(f'/proc/{p}/smaps_rollup').read_text().splitlines():
                if line.startswith('Pss:'):
                    mine = int(line.split()[1])
                    pss += mine
                elif line.startswith('Rss:'):
                    rss += int(line.split()[1])
            names.append(f"{Path(f'/proc/{p}/comm').read_text().strip()} {mine / 1024:.0f} MiB")
        except OSError:
            pass
    return pss, rss, names


def stop(proc):
    tree = descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for p in tree[1:]:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.5)


def launch(binary, env, mark, timeout=60.0):
    """Starts binary, returns (process, milliseconds until its start-up mark)."""
    if mark.exists():
        mark.unlink()
    t0 = time.time()
    proc = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while time.time() - t0 < timeout:
        if mark.exists():
            text = mark.read_text().strip()
            if text:
                first = text.splitlines()[0].split()
                if len(first) > 1:
                    print('   ', ' '.join(first[1:]), flush=True)
                return proc, int(first[0]) - t0 * 1000
        if proc.poll() is not None:
            raise SystemExit(f'{binary} exited with {proc.returncode} before its start-up mark')
        time.sleep(0.005)
    stop(proc)
    raise SystemExit(f'{binary} showed nothing within {timeout} s')


def measure(name, binary, env, launches, idle):
    home = Path(env['HOME'])
    mark = home / 'startup-mark'
    env = dict(env, PAYDESK_STARTUP_MARK=str(mark))
    times = []
    for i in range(launches + 1):
        proc, ms = launch(binary, env, mark)
        stop(proc)
        if i > 0:  # the first, cold launch fills the caches: not counted
            times.append(ms)
    proc, _ = launch(binary, env, mark)
    time.sleep(idle)
    pss, rss, names = memory_kib(proc.pid)
    stop(proc)
    row = {
        'name': name,
        'median_ms': statistics.median(times),
        'min_ms': min(times),
        'max_ms': max(times),
        'pss_mib': pss / 1024,
        'rss_mib': rss / 1024,
        'processes': len(names),
    }
    print(f"{name}: launch median {row['median_ms']:.0f} ms (min {row['min_ms']:.0f}, max {row['max_ms']:.0f}, "
          f"n={len(times)}); idle after {idle:.0f} s: PSS {row['pss_mib']:.1f} MiB, RSS {row['rss_mib']:.1f} MiB "
          f"over {len(names)} processes ({', '.join(sorted(set(names)))})", flush=True)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--app', required=True, type=Path)
    ap.add_argument('--bare', required=True, type=Path)
    ap.add_argument('--seed', required=True, type=Path, help='the seed example binary')
    ap.add_argument('--data', required=True, type=Path, help='where seeded data folders are kept')
    ap.add_argument('--sizes', default='10,100000,1000000')
    ap.add_argument('--launches', type=int, default=10)
    ap.add_argument('--idle', type=float, default=30.0)
    ap.add_argument('--package', action='append', default=[], type=Path, help='an installer to report the size of')
    args = ap.parse_args()

    xvfb = None
    env = dict(os.environ)
    if not env.get('DISPLAY'):
        xvfb, env['DISPLAY'] = start_xvfb()
    work = Path(tempfile.mkdtemp(prefix='paydesk-bench-'))
    try:
        rows = []
        home = work / 'bare'
        rows.append(measure('bare Tauri app', args.bare, profile(env, home), args.launches, args.idle))
        for n in [int(s) for s in args.sizes.split(',')]:
            data = args.data / f'{n}'
            if not (data / 'paydesk.sqlite').exists():
                shutil.rmtree(data, ignore_errors=True)
                subprocess.run([str(args.seed), str(data), str(n)], check=True)
            e = profile(env, work / f'paydesk-{n}')
            e['PAYDESK_DATA_DIR'] = str(data)
            size = sum(f.stat().st_size for f in data.glob('paydesk.sqlite*'))
            row = measure(f'PayDesk, {n:,} invoices ({size / 2**20:.0f} MB database)', args.app, e, args.launches, args.idle)
            rows.append(row)
        bare = rows[0]
        print('\n| app | launch → list shown, median (min–max) | × bare | idle PSS | × bare | idle RSS | processes |')
        print('|---|---|---|---|---|---|---|')
        for r in rows:
            print(f"| {r['name']} | {r['median_ms']:.0f} ms ({r['min_ms']:.0f}–{r['max_ms']:.0f}) | "
                  f"{r['median_ms'] / bare['median_ms']:.2f} | {r['pss_mib']:.1f} MiB | {r['pss_mib'] / bare['pss_mib']:.2f} | "
                  f"{r['rss_mib']:.1f} MiB | {r['processes']} |")
        for p in args.package:
            print(f'\n{p.name}: {p.stat().st_size / 1e6:.2f} MB ({p.stat().st_size:,} bytes)')
    finally:
        if xvfb:
            xvfb.terminate()
        shutil.rmtree(work, ignore_errors=True)


def profile(env, home):
    """A home of its own for one app: caches and window state kept across its launches."""
    home.mkdir(parents=True, exist_ok=True)
    return dict(env, HOME=str(home), XDG_DATA_HOME=str(home / 'data'), XDG_CONFIG_HOME=str(home / 'config'),
                XDG_CACHE_HOME=str(home / 'cache'))


if __name__ == '__main__':
    sys.exit(main())
