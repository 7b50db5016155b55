#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what the guests printed into test results.

  results.py check RESULTS_DIR XFAILS TOPOLOGY... [--host NAME=FILE ...]
  results.py bench RESULTS_DIR TOPOLOGY
  results.py splats CONSOLE

`check` reads RESULTS_DIR/TOPOLOGY/console-check.log for each topology
(and host-side TAP files), writes RESULTS_DIR/check.log (one line per
result, naming its topology), one file per suite under
RESULTS_DIR/TOPOLOGY/, and ends with "N passed, M failed".  It exits 1
when anything failed that the xfails file does not list, when a guest
did not finish, or when the kernel log shows a splat.  `splats` prints
the kernel log lines of one console that would fail a check (make run's
console) and exits 1 if there are any.
"""

import fnmatch
import os
import re
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\]\s?')
RESULT = re.compile(r'^(\s*)(not ok|ok)\s+(\d+)\s*(?:-\s*)?(.*)$')

# Kernel log lines that fail a run even when every test passed.
SPLATS = [re.compile(p) for p in (
    r'\bBUG[: ]', r'WARNING:', r'\bOops\b', r'general protection fault',
    r'Kernel panic', r'unreferenced object', r'INFO: task .* blocked for',
    r'detected stalls', r'UBSAN:', r'kernel BUG at', r'DMA-API: .*(leak|overlap)',
    # Intel IOMMU fault reports (drivers/iommu/intel/dmar.c): a device
    # touched memory it was not given.  Expected only inside a test's
    # WB-EXPECT-DMAR-FAULT window (dmar_windows).
    r'DMAR: DRHD: handling fault status reg', r'DMAR: \[(DMA Read|DMA Write|INTR-REMAP)[ \]]',
)]

# What 6.12's dmar_fault() prints for one fault: first the status
# register (rate limited), then one line per fault record:
#   DMAR: DRHD: handling fault status reg 2
#   DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x... [fault reason 0x06] ...
# (or "PASID 0x..." instead of NO_PASID, "DMA Write" for writes).
DMAR_STATUS = re.compile(r'DMAR: DRHD: handling fault status reg [0-9a-f]+')
DMAR_RECORD = re.compile(r'DMAR: \[DMA (Read|Write) (NO_PASID|PASID 0x[0-9a-f]+)\] '
                         r'Request device \[[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\] '
                         r'fault addr 0x[0-9a-f]+ \[fault reason 0x[0-9a-f]+\]')
# A test that makes a device fault on purpose brackets it with kernel log
# lines "WB-EXPECT-DMAR-FAULT begin NAME" ... "end NAME" (NAME: its case).
# WB-ALLOW-DMAR-FAULT windows accept faults without requiring one (QEMU
# drops some refused DMA without a fault record).
EXPECT_DMAR = re.compile(r'WB-(EXPECT|ALLOW)-DMAR-FAULT (begin|end) (\S+)')
# A fault this soon after its window closed means the test closed it
# before the IOMMU's fault interrupt was handled: say so.
DMAR_LATE_S = 2.0

# Suites of CONFIG_DMABUF_SELFTESTS (drivers/dma-buf/selftests.h).
DMABUF_SELFTESTS = ['sanitycheck', 'dma_fence', 'dma_fence_chain',
                    'dma_fence_unwrap', 'dma_resv']


class Results:
    def __init__(self):
        self.rows = []          # (topology, status, name, note)

    def add(self, topo, status, name, note=''):
        self.rows.append((topo, status, name, note))


def tap_directive(desc):
    """Split 'name # SKIP why' into (name, is_skip)."""
    name, _, directive = desc.partition(' # ')
    return name.strip(), directive.strip().upper().startswith('SKIP')


def parse_ktap(lines, topo, res):
    """KUnit's KTAP: suites at indent 0, their cases at indent 4."""
    suite = None
    seen = set()
    cases = 0
    case_failed = False
    plan = None
    suites_done = 0
    for line in lines:
        m = re.match(r'^(\s*)# Subtest: (\S+)', line)
        if m and len(m.group(1)) == 4:
            suite = m.group(2)
            cases = 0
            case_failed = False
            continue
        if plan is None:
            m = re.match(r'^1\.\.(\d+)$', line)
            if m:
                plan = int(m.group(1))
                continue
        m = RESULT.match(line)
        if not m:
            continue
        indent = len(m.group(1))
        name, skip = tap_directive(m.group(4))
        ok = m.group(2) == 'ok'
        status = 'SKIP' if skip else ('PASS' if ok else 'FAIL')
        if indent == 4 and suite:
            res.add(topo, status, f'kunit/{suite}/{name}')
            cases += 1
            case_failed |= status == 'FAIL'
        elif indent == 0:
            suites_done += 1
            if cases == 0 or (status == 'FAIL' and not case_failed):
                # A suite that failed outside its cases (init, crash).
                res.add(topo, status, f'kunit/{name}')
            seen.add(name)
            suite = None
    if plan is not None and suites_done < plan:
        res.add(topo, 'FAIL', 'kunit/all-suites-reported',
                f'{suites_done} of {plan} suites reported')
    return seen


def parse_dmabuf_selftests(lines, topo, res):
    started = []
    failed = {}
    for line in lines:
        m = re.match(r'^dma-buf: Running (\S+)$', line)
        if m:
            started.append(m.group(1))
        m = re.match(r'^dma-buf/(\S+): (\S+) failed with error (-?\d+)', line)
        if m:
            failed[f'{m.group(1)}/{m.group(2)}'] = m.group(3)
    if not any('/' not in s for s in started):
        return
    # dma_resv runs its subtests once per usage: report each name once.
    for s in dict.fromkeys(started):
        if '/' in s:
            if s in failed:
                res.add(topo, 'FAIL', f'dmabuf_selftests/{s}',
                        f'error {failed[s]}')
            else:
                res.add(topo, 'PASS', f'dmabuf_selftests/{s}')
    for s in DMABUF_SELFTESTS:
        if s not in started:
            res.add(topo, 'FAIL', f'dmabuf_selftests/{s}', 'did not run')


def ksft_name(desc):
    # kselftests print "[PASS,test-1]" or "[FAIL,test-1]"; keep the name
    # stable whatever the outcome so xfails can match it.
    return re.sub(r'\[(PASS|FAIL|SKIP)\s*,\s*', '[', desc)


def parse_tap(suite, lines, rc, topo, res):
    plan = None
    n = 0
    failed = False
    for line in lines:
        m = re.match(r'^1\.\.(\d+)', line)
        if m:
            plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if not m or len(m.group(1)) != 0:
            continue
        name, skip = tap_directive(m.group(4))
        ok = m.group(2) == 'ok'
        status = 'SKIP' if skip else ('PASS' if ok else 'FAIL')
        failed |= status == 'FAIL'
        # "ok 3 calls # 41234 calls": the directive is kept as the note
        note = '' if skip else m.group(4).partition(' # ')[2].strip()
        res.add(topo, status, f'{suite}/{ksft_name(name)}', note)
        n += 1
    if n == 0:
        res.add(topo, 'FAIL', f'{suite}', 'printed no TAP result')
    elif plan is not None and n < plan:
        res.add(topo, 'FAIL', f'{suite}/plan', f'{n} of {plan} results')
    # 4 is kselftest's "skipped".
    if rc not in (0, 4) and not failed:
        res.add(topo, 'FAIL', f'{suite}/exit-status', f'rc={rc}')


IGT_STATUS = {'SUCCESS': 'PASS', 'SKIP': 'SKIP'}


def parse_igt(suite, lines, rc, topo, res):
    """IGT's output: "Starting subtest: X" ... "Subtest X: SUCCESS (1.0s)"
    (or FAIL, SKIP, CRASH, TIMEOUT).  A subtest IGT skips without
    starting it (its fixture skipped) prints its result line alone.
    Dynamic subtests ("Starting dynamic subtest: Y", "Dynamic subtest Y:
    ...") are reported as X/Y, and X itself with IGT's verdict on it.  On
    a tty IGT wraps result lines in colour codes.

    The console carries kernel lines too; untangle() mends the result
    lines they cut.  IGT also logs each verdict to the kernel ("[IGT]
    NAME: finished subtest X, SUCCESS"), whole: a subtest whose own line
    is still missing takes that verdict, and one with neither fails
    instead of vanishing."""
    n = 0
    started = None
    dynamic = None
    kmsg = {}
    for line in lines:
        m = IGT_KMSG.search(ANSI.sub('', line))
        if m:
            kmsg[m.group(1)] = m.group(2)

    def unfinished(name):
        if name in kmsg:
            res.add(topo, IGT_STATUS.get(kmsg[name], 'FAIL'), f'{suite}/{name}',
                    'result line garbled on the console; verdict from the kernel log')
        else:
            res.add(topo, 'FAIL', f'{suite}/{name}', 'never finished')

    for line in lines:
        line = ANSI.sub('', line)
        m = re.match(r'^Starting subtest: (\S+)', line)
        if m:
            if started:
                if dynamic:
                    res.add(topo, 'FAIL', f'{suite}/{started}/{dynamic}', 'never finished')
                unfinished(started)
                n += 1
            started, dynamic = m.group(1), None
            continue
        m = re.match(r'^Starting dynamic subtest: (\S+)', line)
        if m:
            dynamic = m.group(1)
            continue
        m = re.match(r'^Dynamic subtest (\S+): (SUCCESS|FAIL|SKIP|CRASH|TIMEOUT)\b', line)
        if m:
            st = IGT_STATUS.get(m.group(2), 'FAIL')
            res.add(topo, st, f'{suite}/{started or "?"}/{m.group(1)}')
            n += 1
            dynamic = None
            continue
        m = re.match(r'^Subtest (\S+): (SUCCESS|FAIL|SKIP|CRASH|TIMEOUT)\b', line)
        if m:
            if dynamic and started == m.group(1):
                res.add(topo, 'FAIL', f'{suite}/{started}/{dynamic}', 'never finished')
            st = IGT_STATUS.get(m.group(2), 'FAIL')
            res.add(topo, st, f'{suite}/{m.group(1)}')
            n += 1
            started = dynamic = None
    if dynamic:
        res.add(topo, 'FAIL', f'{suite}/{started}/{dynamic}', 'never finished')
    if started:
        unfinished(started)
    if n == 0:
        res.add(topo, 'FAIL', suite, f'no subtest result (rc={rc})')
    elif rc not in (0, 77) and not any(r[1] == 'FAIL' and r[2].startswith(suite + '/')
                                      for r in res.rows if r[0] == topo):
        res.add(topo, 'FAIL', f'{suite}/exit-status', f'rc={rc}')


ANSI = re.compile(r'\x1b\[[0-9;]*m')
IGT_KMSG = re.compile(r'\[IGT\] \S+: finished subtest (\S+), '
                      r'(SUCCESS|FAIL|SKIP|CRASH|TIMEOUT)\b')


# v4l2-compliance's last line counts what it ran:
#   Total for vivid device /dev/video0: 130, Succeeded: 130, Failed: 0, Warnings: 0
V4L2_TOTAL = re.compile(r'^Total for .*: (\d+), Succeeded: (\d+), Failed: (\d+), '
                        r'Warnings: (\d+)$')


def parse_v4l2(suite, lines, rc, topo, res):
    section = ''
    n = failed = 0
    total = None
    for line in lines:
        line = ANSI.sub('', line)
        m = V4L2_TOTAL.match(line)
        if m:
            total = (int(m.group(1)), int(m.group(3)))
            continue
        if line and not line[0].isspace() and line.rstrip().endswith(':'):
            section = line.strip().rstrip(':')
            section = re.sub(r' for \S+ device /dev/video\d+', '', section)
            continue
        m = re.match(r'^\s+(test .+?): (OK|FAIL)(.*)$', line)
        if m:
            name = f'{suite}/{section}/{m.group(1)}'
            res.add(topo, 'PASS' if m.group(2) == 'OK' else 'FAIL', name)
            n += 1
            failed += m.group(2) == 'FAIL'
    # Every result it counted must have been read, and a run that
    # stopped early (crash, timeout) or failed without a FAIL line
    # must not pass on the results it printed before.
    if n == 0:
        res.add(topo, 'FAIL', suite, f'no test result (rc={rc})')
    elif total is None:
        res.add(topo, 'FAIL', suite, f'no "Total" line: it did not finish (rc={rc})')
    elif total != (n, failed):
        res.add(topo, 'FAIL', suite, f'read {n} results ({failed} failed), '
                f'v4l2-compliance counted {total[0]} ({total[1]} failed)')
    elif rc != 0 and failed == 0:
        res.add(topo, 'FAIL', suite, f'rc={rc} but no test failed')


# A kernel line the console printed inside a line of user space's.
KMSG_INSIDE = re.compile(r'\[\s*\d+\.\d{6}\] ')


def untangle(lines):
    """The console's lines with each user-space line made whole again.

    The kernel writes its console lines straight to the UART, past the
    user-space bytes still waiting in the tty's buffer, so a kernel line
    can land inside a user-space line: "ok 3 ca[  12.345678] msg" and,
    once the kernel line ended, "lls" (or "" when the kernel came just
    before the newline).  Only lines of suites and their frames are
    untangled: before the first frame the BIOS leaves text unended."""
    out = []
    cut = None
    framed = False
    for line in lines:
        if cut is not None:
            if TS.match(line):
                out.append(line)
                continue
            line, cut = cut + line, None
        framed = framed or line.startswith('WB-')
        m = KMSG_INSIDE.search(line) if framed else None
        if m and m.start() > 0:
            out.append(line[m.start():])
            cut = line[:m.start()].rstrip('\r')
            continue
        out.append(line)
    if cut is not None:
        out.append(cut)
    return out


def read_console(path):
    """The lines of a guest's console, untangled."""
    with open(path, errors='replace') as f:
        return untangle([raw.rstrip('\r\n') for raw in f])


def split_console(console):
    """Return (boot kernel lines, {suite: (format, lines, rc)}, done)."""
    boot = []
    suites = {}
    cur = None
    done = False
    for line in console:
        if line.startswith('WB-SUITE-BEGIN '):
            _, name, fmt = line.split(None, 2)
            cur = (name, fmt, [])
            continue
        if line.startswith('WB-SUITE-END ') and cur:
            rc = int(line.rsplit('rc=', 1)[1])
            suites[cur[0]] = (cur[1], cur[2], rc)
            cur = None
            continue
        if line == 'WB-DONE':
            done = True
            continue
        if cur:
            cur[2].append(line)
        elif line.startswith('WB-GUEST '):
            pass
        elif not suites:
            boot.append(TS.sub('', line) if TS.match(line) else line)
    return boot, suites, done


def is_splat(line):
    return bool(TS.match(line)) and any(p.search(TS.sub('', line)) for p in SPLATS)


def kernel_line(line):
    """(timestamp, message) of a kernel log line, None for other lines."""
    m = TS.match(line)
    return (m.group(0).strip(), TS.sub('', line)) if m else None


def ts_seconds(ts):
    return float(ts.strip('[] '))


def dmar_windows(lines):
    """Find the WB-EXPECT-DMAR-FAULT windows of one kernel log.

    Returns ({(name, begin timestamp): window}, expected): a window counts
    the fault records and status lines printed while it was open; those
    lines form `expected` as (timestamp, message) and are not splats.
    Both DMAR lines are accepted anywhere inside the window, whichever
    comes first.
    """
    windows = {}
    open_ = {}
    closed = []
    expected = set()
    for line in lines:
        hit = kernel_line(line)
        if not hit:
            continue
        ts, msg = hit
        m = EXPECT_DMAR.search(msg)
        if m:
            kind, what, name = m.groups()
            if kind == 'ALLOW':
                name = 'allow:' + name
            if what == 'begin':
                w = {'name': name, 'records': 0, 'status': 0,
                     'closed': False, 'reopened': name in open_,
                     'late': None, 'end': None}
                windows[(name, ts)] = w
                open_[name] = w
            elif name in open_:
                w = open_.pop(name)
                w['closed'] = True
                w['end'] = ts_seconds(ts)
                closed.append(w)
            else:
                windows[(name, ts)] = {'name': name, 'records': 0,
                                       'status': 0, 'closed': True,
                                       'reopened': False, 'late': None,
                                       'end': None, 'unopened': True}
            continue
        record = bool(DMAR_RECORD.search(msg))
        if not record and not DMAR_STATUS.search(msg):
            continue
        if open_:
            expected.add(hit)
            for w in open_.values():
                w['records' if record else 'status'] += 1
            continue
        for w in closed:
            if record and not w['records'] and w['late'] is None and \
               ts_seconds(ts) - w['end'] <= DMAR_LATE_S:
                w['late'] = ts_seconds(ts) - w['end']
    return windows, expected


def report_dmar_windows(sources, topo, res):
    """One result per window name; returns the expected fault lines.

    `sources` are kernel logs of the same boot (console, dmesg dump): a
    window seen in both is one window.
    """
    windows = {}
    expected = set()
    for lines in sources:
        ws, exp = dmar_windows(lines)
        expected |= exp
        for key, w in ws.items():
            have = windows.get(key)
            if have is None or (w['records'], w['closed']) > \
               (have['records'], have['closed']):
                windows[key] = w
    by_name = {}
    for (name, _), w in sorted(windows.items(), key=lambda kv: ts_seconds(kv[0][1])):
        by_name.setdefault(name, []).append(w)
    # QEMU's vIOMMU collapses repeated faults of one requester (the VT-d
    # spec allows it) and the kernel rate-limits its reports, so a test
    # that faults several times may see a report for its first window
    # only: a name passes when its windows are well formed and at least
    # one of them holds a fault report (a record, or the status line).
    for name, ws in sorted(by_name.items()):
        problems = []
        late = None
        for w in ws:
            if w.get('unopened'):
                problems.append('"end" without "begin"')
            elif w['reopened']:
                problems.append('"begin" again before "end"')
            elif not w['closed']:
                problems.append('never closed (the test did not finish?)')
            if w['late'] is not None:
                late = w['late']
        if name.startswith('allow:'):
            if problems:
                res.add(topo, 'FAIL', f'kernel/allowed-dmar-fault/{name[6:]}',
                        '; '.join(problems))
            continue
        if not any(w['records'] or w['status'] for w in ws):
            why = 'no DMAR fault report inside any window'
            if late is not None:
                why += (f'; one came {late:.3f} s after "end": the test '
                        'closed the window before the fault was handled')
            problems.append(why)
        res.add(topo, 'FAIL' if problems else 'PASS',
                f'kernel/expected-dmar-fault/{name}', '; '.join(problems))
    return expected


# Suites whose output is a dump of the kernel log, not something that ran.
DUMPS = ('dmesg', 'kmemleak')


def live_console(console):
    """The console without the kernel log and kmemleak dumps at its end:
    a splat in a dump is the same splat the console already showed (or
    one the console level held back), not one of the dump's own."""
    out = []
    dump = False
    for line in console:
        if line.startswith('WB-SUITE-BEGIN ') and line.split()[1] in DUMPS:
            dump = True
        elif line.startswith('WB-SUITE-END ') and line.split()[1] in DUMPS:
            dump = False
        elif not dump:
            out.append(line)
    return out


# DMA-API debugging prints its complaint, then the WARNING it raises:
#   DMA-API: vivid vivid.0: mapping sg segment longer than ... [len=1] [max=2]
#   WARNING: CPU: 0 PID: 244 at kernel/dma/debug.c:1181 debug_dma_map_sg+...
DMA_API_MSG = re.compile(r'^DMA-API: (\S+ \S+): (.*?)(?:\s*\[.*)?$')
DMA_API_WARN = re.compile(r'^WARNING: .* at kernel/dma/debug\.c:\d+ ')


def dma_api_suffix(prev, msg):
    """The complaint that names a DMA-API debug WARNING, or ''.

    A splat of `ctx` becomes `ctx/DMA-API <driver> <device>: <complaint>`
    (numbers in brackets dropped), so an xfail can name one stock-kernel
    complaint without hiding any other splat of the same suite.
    """
    m = DMA_API_MSG.match(prev or '')
    if not m or not DMA_API_WARN.match(msg):
        return ''
    return f'/DMA-API {m.group(1)}: {m.group(2)}'


def attribute_splats(console, expected=frozenset()):
    """Map each splat line of the console to what was running.

    Boot: the KUnit case whose result line follows the splat, or the
    dma-buf selftest last announced.  User space: the framed suite.
    Lines in `expected` (deliberate DMAR faults) are not splats.  A
    DMA-API debug WARNING gets its complaint appended (dma_api_suffix).
    Returns {context: [(timestamp, message)]}.
    """
    out = {}
    pending = []
    suite = None
    context = 'boot'
    prev = None

    def flush(ctx):
        for hit, suffix in pending:
            out.setdefault(ctx + suffix, []).append(hit)
        pending.clear()

    for line in console:
        if line.startswith('WB-SUITE-BEGIN '):
            flush(context)
            context = line.split()[1]
            continue
        if line.startswith('WB-SUITE-END '):
            flush(context)
            context = 'between-suites'
            continue
        if is_splat(line) and kernel_line(line) not in expected:
            hit = kernel_line(line)
            pending.append((hit, dma_api_suffix(prev, hit[1])))
            prev = hit[1]
            continue
        msg = TS.sub('', line)
        if TS.match(line):
            prev = msg
        m = re.match(r'^(\s*)# Subtest: (\S+)', msg)
        if m and len(m.group(1)) == 4:
            suite = m.group(2)
            continue
        m = RESULT.match(msg)
        if m and suite and len(m.group(1)) == 4:
            flush(f'kunit/{suite}/{tap_directive(m.group(4))[0]}')
            continue
        if m and suite and len(m.group(1)) == 0:
            flush(f'kunit/{suite}')
            suite = None
            continue
        m = re.match(r'^dma-buf: Running (\S+)$', msg)
        if m:
            flush(context)
            context = f'dmabuf_selftests/{m.group(1)}'
    flush(context)
    return out


def kmemleak_objects(lines):
    """Yield (owner, first line) per leaked object: the KUnit case that
    allocated it, else the allocating task."""
    block = None
    for line in lines + ['unreferenced object (end)']:
        if line.startswith('unreferenced object'):
            if block:
                frames = [l.strip().split('+')[0] for l in block[1:]
                          if re.match(r'^\s+[A-Za-z_][\w.]*\+0x', l)]
                comm = next((re.search(r'comm "([^"]*)"', l).group(1)
                             for l in block if 'comm "' in l), '?')
                owner = f'comm:{comm}'
                if 'kunit_try_run_case' in frames:
                    i = frames.index('kunit_try_run_case')
                    if i > 0:
                        owner = frames[i - 1]
                yield owner, block[0]
            block = [line]
        elif block is not None:
            block.append(line)


def safe(name):
    return re.sub(r'[^A-Za-z0-9_.-]+', '_', name)


def check_topology(outdir, topo, res):
    path = os.path.join(outdir, topo, 'console-check.log')
    if not os.path.exists(path):
        res.add(topo, 'FAIL', 'guest/booted', 'no console log')
        return
    console = read_console(path)
    boot, suites, done = split_console(console)
    with open(os.path.join(outdir, topo, 'kunit.log'), 'w') as f:
        f.write('\n'.join(boot) + '\n')
    parse_ktap(boot, topo, res)
    parse_dmabuf_selftests(boot, topo, res)
    for name, (fmt, lines, rc) in suites.items():
        with open(os.path.join(outdir, topo, safe(name) + '.log'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        if fmt == 'tap':
            parse_tap(name, lines, rc, topo, res)
        elif fmt == 'igt':
            parse_igt(name, lines, rc, topo, res)
        elif fmt == 'v4l2':
            parse_v4l2(name, lines, rc, topo, res)
    res.add(topo, 'PASS' if done else 'FAIL', 'guest/completed',
            '' if done else 'guest hung, crashed or timed out')
    leaks = suites.get('kmemleak', ('', [], 0))[1]
    owners = {}
    for owner, first in kmemleak_objects(leaks):
        owners.setdefault(owner, []).append(first)
    for owner, objs in sorted(owners.items()):
        res.add(topo, 'FAIL', f'kernel/kmemleak/{owner}',
                f'{len(objs)} unreferenced objects, see kmemleak.log')
    if 'kmemleak' in suites and not owners:
        res.add(topo, 'PASS', 'kernel/kmemleak')
    # The console shows what ran when; the dmesg dump holds what the
    # console level held back.
    dumped = suites.get('dmesg', ('', [], 0))[1]
    live = live_console(console)
    # Window markers printed at info level during user-space suites are
    # held back from the console: the dump has them.
    expected = report_dmar_windows([live, dumped], topo, res)
    splats = attribute_splats(live, expected)
    seen = {hit for hits in splats.values() for hit in hits}
    for line in dumped:
        hit = kernel_line(line)
        if is_splat(line) and hit not in seen and hit not in expected:
            splats.setdefault('kernel-log', []).append(hit)
    with open(os.path.join(outdir, topo, 'splats.log'), 'w') as f:
        for ctx, hits in sorted(splats.items()):
            for ts, msg in hits:
                f.write(f'{ctx}: {ts} {msg}\n')
    for ctx, hits in sorted(splats.items()):
        res.add(topo, 'FAIL', f'kernel/splat/{ctx}',
                f'{len(hits)} splat lines, first: {hits[0][1]}')
    if not splats:
        res.add(topo, 'PASS', 'kernel/no-splat')


# The topologies vm.sh boots; an xfail may be limited to one of them.
TOPOLOGIES = ('iommu', 'direct', 'bounce')


def load_xfails(path):
    xf = []
    if not os.path.exists(path):
        return xf
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            pat, sep, reason = line.partition(' | ')
            if not sep or not reason.strip():
                sys.exit(f'{path}: "{line}": want "<name glob> | <reason>"')
            m = re.match(r'^([a-z]+):', pat)
            if m and m.group(1) not in TOPOLOGIES:
                # A misspelt topology would silently match nothing.
                sys.exit(f'{path}: "{line}": unknown topology '
                         f'"{m.group(1)}" ({", ".join(TOPOLOGIES)})')
            xf.append((pat.strip(), reason.strip()))
    return xf


def xfail_reason(xf, topo, name):
    for pat, reason in xf:
        if fnmatch.fnmatchcase(name, pat) or \
           fnmatch.fnmatchcase(f'{topo}:{name}', pat):
            return reason
    return None


def cmd_check(argv):
    outdir, xfile = argv[0], argv[1]
    topos = []
    hosts = []
    for a in argv[2:]:
        if a.startswith('--host='):
            hosts.append(a[len('--host='):].split('=', 1))
        else:
            topos.append(a)
    res = Results()
    for topo in topos:
        check_topology(outdir, topo, res)
    for name, path in hosts:
        if not os.path.exists(path):
            res.add('host', 'FAIL', name, 'no output')
            continue
        with open(path, errors='replace') as f:
            lines = [l.rstrip('\n') for l in f]
        rc_line = [l for l in lines if l.startswith('WB-RC ')]
        rc = int(rc_line[-1].split()[1]) if rc_line else 0
        parse_tap(name, lines, rc, 'host', res)
    xf = load_xfails(xfile)
    counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0, 'XFAIL': 0, 'XPASS': 0}
    out = []
    for topo, status, name, note in res.rows:
        reason = xfail_reason(xf, topo, name)
        if reason and status == 'FAIL':
            status, note = 'XFAIL', reason
        elif reason and status == 'PASS':
            status, note = 'XPASS', 'listed in xfails but passed: ' + reason
        counts[status] += 1
        out.append(f'[{topo}] {status} {name}' + (f'  ({note})' if note else ''))
    with open(os.path.join(outdir, 'check.log'), 'w') as f:
        f.write('\n'.join(out) + '\n')
    # Failures last, right above the counts: a log cut to its head and
    # tail (as CI reports it) still names them.
    order = ['SKIP', 'XPASS', 'XFAIL', 'FAIL']
    for status in order:
        for line in out:
            if line.split('] ', 1)[1].split(' ', 1)[0] == status:
                print(line)
    for topo in sorted({r[0] for r in res.rows}):
        rows = [r for r in res.rows if r[0] == topo]
        print(f'{topo}: {sum(r[1] == "PASS" for r in rows)} passed, '
              f'{sum(r[1] == "FAIL" for r in rows)} failed '
              f'(before xfails)')
    if counts['XPASS']:
        print(f'{counts["XPASS"]} known failures now pass: '
              'remove them from the xfails file')
    print(f'{counts["XFAIL"]} known failures (xfails), details in '
          f'{os.path.join(outdir, "check.log")}')
    passed = counts['PASS'] + counts['XPASS']
    line = f'{passed} passed, {counts["FAIL"]} failed'
    if counts['SKIP']:
        line += f', {counts["SKIP"]} skipped'
    print(line)
    return 1 if counts['FAIL'] else 0


SWEEP = re.compile(r'^sweep_([a-z_]+)_(\d+)kib$')
SWEEP_COLOURS = {'sgtable': '#d62728', 'rangelist': '#1f77b4',
                 'floor': '#2ca02c', 'pte_floor': '#9467bd'}


def sweep_svg(rows):
    """The sweep_<method>_<KiB>kib rows as an SVG line plot, log-log."""
    import math
    series = {}
    for name, value, _ in rows:
        m = SWEEP.match(name)
        if m:
            series.setdefault(m.group(1), []).append(
                (int(m.group(2)), float(value)))
    if not series:
        return None
    pts = [p for ps in series.values() for p in ps]
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    y0 = 10 ** math.floor(math.log10(max(1.0, min(p[1] for p in pts))))
    y1 = 10 ** math.ceil(math.log10(max(p[1] for p in pts)))
    if x1 == x0:
        x1 = x0 * 4
    if y1 == y0:
        y1 = y0 * 10
    W, H, L, R, T, B = 640, 400, 80, 130, 30, 50

    def px(x):
        return L + (W - L - R) * math.log(x / x0) / math.log(x1 / x0)

    def py(y):
        return H - B - (H - T - B) * math.log(y / y0) / math.log(y1 / y0)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" '
           f'height="{H}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="13">'
           'map+unmap of scattered 4 KiB pages (same boot)</text>']
    y = y0
    while y <= y1 * 1.001:
        out.append(f'<line x1="{L}" x2="{W - R}" y1="{py(y):.1f}" '
                   f'y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{L - 6}" y="{py(y) + 4:.1f}" '
                   f'text-anchor="end">{y:g}</text>')
        y *= 10
    for x in sorted({p[0] for p in pts}):
        label = f'{x // 1024} MiB' if x >= 1024 else f'{x} KiB'
        out.append(f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{T}" '
                   f'y2="{H - B}" stroke="#eee"/>')
        out.append(f'<text x="{px(x):.1f}" y="{H - B + 16}" '
                   f'text-anchor="middle">{label}</text>')
    out.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" '
               'text-anchor="middle">buffer size (log)</text>')
    out.append(f'<text x="16" y="{(T + H - B) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 16 {(T + H - B) / 2})">'
               'ns per MiB (log)</text>')
    for i, (meth, ps) in enumerate(sorted(series.items())):
        ps.sort()
        col = SWEEP_COLOURS.get(meth, '#555')
        path = ' '.join(f'{px(x):.1f},{py(y):.1f}' for x, y in ps)
        out.append(f'<polyline points="{path}" fill="none" stroke="{col}" '
                   'stroke-width="2"/>')
        for x, y in ps:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" '
                       f'fill="{col}"/>')
        out.append(f'<text x="{W - R + 10}" y="{T + 20 + 16 * i}" '
                   f'fill="{col}">{meth}</text>')
    out.append('</svg>')
    return '\n'.join(out) + '\n'



def cmd_bench(argv):
    outdir, topo = argv[0], argv[1]
    path = os.path.join(outdir, topo, 'console-bench.log')
    _, suites, done = split_console(read_console(path))
    rows, failed = [], []
    for line in suites.get('bench', ('', [], 0))[1]:
        parts = line.strip().split(',')
        if len(parts) == 3 and re.match(r'^[a-z0-9_]+$', parts[0]):
            rows.append(parts)
        # A benchmark that could not run leaves '# <what> failed: <errno>'
        # instead of its rows.
        elif re.match(r'^# .* failed: -?\d+$', line.strip()):
            failed.append(line.strip())
    with open(os.path.join(outdir, 'bench.csv'), 'w') as f:
        f.write('name,value,unit\n')
        for r in rows:
            f.write(','.join(r) + '\n')
    w = max([len(r[0]) for r in rows] + [4])
    print(f'{"name":<{w}}  {"value":>14}  unit')
    for r in rows:
        print(f'{r[0]:<{w}}  {r[1]:>14}  {r[2]}')
    print(f'{len(rows)} rows in {os.path.join(outdir, "bench.csv")} '
          f'(topology {topo})')
    svg = sweep_svg(rows)
    if svg:
        with open(os.path.join(outdir, 'bench-sweep.svg'), 'w') as f:
            f.write(svg)
        print(f'sweep plot in {os.path.join(outdir, "bench-sweep.svg")}')
    for line in failed:
        print(f'bench: {line[2:]}', file=sys.stderr)
    if not done:
        print('bench guest did not finish', file=sys.stderr)
        return 1
    return 1 if failed else 0


def cmd_splats(argv):
    found = [l for l in live_console(read_console(argv[0])) if is_splat(l)]
    for line in found:
        print(line)
    return 1 if found else 0


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ('check', 'bench', 'splats'):
        sys.exit(__doc__)
    if sys.argv[1] == 'check':
        return cmd_check(sys.argv[2:])
    if sys.argv[1] == 'splats':
        return cmd_splats(sys.argv[2:])
    return cmd_bench(sys.argv[2:])


if __name__ == '__main__':
    sys.exit(main())
