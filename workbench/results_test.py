#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Self-test of results.py: crafted guest consoles in, results out.

  results_test.py     prints TAP; exit status 1 if a case failed

`wb check` runs it with the host-side suites, so a change to how results
are read is proven before any guest boots.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_PY = os.path.join(HERE, 'results.py')

DRHD = 'DMAR: DRHD: handling fault status reg 2'
READ = ('DMAR: [DMA Read NO_PASID] Request device [02:00.0] fault addr '
        '0xdead000 [fault reason 0x06] PTE Read access is not set')
WRITE = ('DMAR: [DMA Write PASID 0x1] Request device [03:00.0] fault addr '
         '0xbeef000 [fault reason 0x05] PTE Write access is not set')
INTR = ('DMAR: [INTR-REMAP] Request device [00:1f.0] fault index 0x17 '
        '[fault reason 0x25] Blocked a compatibility format interrupt request')


def k(ts, msg):
    """A kernel log line as the console and dmesg print it."""
    return f'[{ts:12.6f}] {msg}'


def console(boot=(), suites=(), dmesg=None, done=True):
    """A console-check.log: boot lines, framed suites, the kernel log
    dump (by default every kernel line printed before it)."""
    lines = list(boot) + ['WB-GUEST mode=check topology=iommu kernel=6.12']
    for name, fmt, body, rc in suites:
        lines += [f'WB-SUITE-BEGIN {name} {fmt}'] + list(body) + \
                 [f'WB-SUITE-END {name} rc={rc}']
    if dmesg is None:
        dmesg = [l for l in lines if l.startswith('[')]
    lines += ['WB-SUITE-BEGIN dmesg text'] + list(dmesg) + \
             ['WB-SUITE-END dmesg rc=0']
    if done:
        lines.append('WB-DONE')
    return lines


TAP_OK = ('topology', 'tap', ['TAP version 13', '1..1', 'ok 1 iommu_active'], 0)


def run(lines):
    """Run results.py on one topology; return ({name: (status, note)}, rc)."""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, 'iommu'))
        with open(os.path.join(d, 'iommu', 'console-check.log'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        xf = os.path.join(d, 'xfails')
        open(xf, 'w').close()
        p = subprocess.run([sys.executable, RESULTS_PY, 'check', d, xf, 'iommu'],
                           capture_output=True, text=True)
        got = {}
        with open(os.path.join(d, 'check.log')) as f:
            for line in f:
                _, rest = line.rstrip('\n').split('] ', 1)
                status, _, name = rest.partition(' ')
                name, _, note = name.partition('  (')
                got[name] = (status, note.rstrip(')'))
        return got, p.returncode


def splats(got):
    return sorted(n for n in got if n.startswith('kernel/splat/'))


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


@case
def splat_reported_once_not_again_from_the_dump():
    got, rc = run(console(boot=[k(1, 'Linux version 6.12'),
                                k(2, 'WARNING: CPU: 0 PID: 1 at foo')],
                          suites=[TAP_OK]))
    return splats(got) == ['kernel/splat/boot'] and rc == 1, (splats(got), rc)


@case
def dma_api_warning_named_by_its_complaint():
    got, rc = run(console(suites=[TAP_OK, ('v4l2-compliance', 'tap', [
        'TAP version 13', '1..1',
        k(5, 'DMA-API: vivid vivid.0: mapping sg segment longer than device '
             'claims to support [len=462848] [max=65536]'),
        k(5.1, 'WARNING: CPU: 0 PID: 244 at kernel/dma/debug.c:1181 '
               'debug_dma_map_sg+0x629/0xa30'),
        k(6, 'WARNING: CPU: 0 PID: 244 at drivers/foo.c:1 bar+0x1/0x2'),
        'ok 1 streaming'], 0)]))
    want = ['kernel/splat/v4l2-compliance',
            'kernel/splat/v4l2-compliance/DMA-API vivid vivid.0: mapping sg '
            'segment longer than device claims to support']
    return splats(got) == want and rc == 1, (splats(got), rc)


@case
def igt_result_line_cut_by_a_kernel_line_still_counts():
    # As seen on the console: IGT's "Subtest X: SUCCESS" cut by its own
    # kernel log line of the same verdict.
    got, rc = run(console(suites=[TAP_OK, ('igt/unplug', 'igt', [
        'Starting subtest: one',
        'Subtest o' + k(47, '[IGT] unplug: finished subtest one, SUCCESS'),
        'ne: SUCCESS (21.3s)',
        'Starting subtest: two',
        'Subtest two: SUCCESS (2.0s)'], 0)]))
    return (got.get('igt/unplug/one', ('',))[0] == 'PASS' and
            got.get('igt/unplug/two', ('',))[0] == 'PASS' and rc == 0), got


@case
def igt_subtest_without_any_verdict_fails():
    got, rc = run(console(suites=[TAP_OK, ('igt/unplug', 'igt', [
        'Starting subtest: one', 'Subtest o', 'ne: SUCC',
        'Starting subtest: two', 'Subtest two: SUCCESS (2.0s)'], 0)]))
    st = got.get('igt/unplug/one', ('', ''))
    return st[0] == 'FAIL' and 'never finished' in st[1] and rc == 1, got


@case
def fault_inside_window_passes_status_line_first():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        'Starting subtest: unmapped',
        k(10, 'qemu_edu 0000:02:00.0: WB-EXPECT-DMAR-FAULT begin unmapped'),
        k(10.1, DRHD), k(10.1, READ),
        k(10.2, 'qemu_edu 0000:02:00.0: WB-EXPECT-DMAR-FAULT end unmapped'),
        'Subtest unmapped: SUCCESS'], 0)]))
    return (got.get('kernel/expected-dmar-fault/unmapped', ('',))[0] == 'PASS'
            and not splats(got) and 'kernel/no-splat' in got and rc == 0), got


@case
def record_line_first_then_status_line_also_accepted():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        k(10, 'WB-EXPECT-DMAR-FAULT begin w'), k(10.1, WRITE), k(10.1, DRHD),
        k(10.2, 'WB-EXPECT-DMAR-FAULT end w'), 'Subtest w: SUCCESS'], 0)]))
    return (got.get('kernel/expected-dmar-fault/w', ('',))[0] == 'PASS'
            and not splats(got) and rc == 0), got


@case
def window_without_fault_fails():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        k(10, 'WB-EXPECT-DMAR-FAULT begin quiet'),
        k(10.2, 'WB-EXPECT-DMAR-FAULT end quiet'), 'Subtest quiet: SUCCESS'], 0)]))
    st = got.get('kernel/expected-dmar-fault/quiet', ('', ''))
    return st[0] == 'FAIL' and 'no DMAR fault report' in st[1] and rc == 1, got


@case
def status_line_alone_counts_as_a_fault_report():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        k(10, 'WB-EXPECT-DMAR-FAULT begin half'), k(10.1, DRHD),
        k(10.2, 'WB-EXPECT-DMAR-FAULT end half'), 'Subtest half: SUCCESS'], 0)]))
    st = got.get('kernel/expected-dmar-fault/half', ('', ''))
    return st[0] == 'PASS' and not splats(got), got


@case
def allow_window_takes_faults_but_needs_none():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        k(10, 'WB-ALLOW-DMAR-FAULT begin maybe'),
        k(10.2, 'WB-ALLOW-DMAR-FAULT end maybe'),
        k(11, 'WB-ALLOW-DMAR-FAULT begin maybe'), k(11.1, DRHD),
        k(11.1, READ), k(11.2, 'WB-ALLOW-DMAR-FAULT end maybe'),
        'Subtest maybe: SUCCESS'], 0)]))
    return (not any(n.startswith('kernel/') and 'maybe' in n for n in got)
            and not splats(got) and rc == 0), got


@case
def later_windows_of_a_name_may_be_collapsed():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        k(10, 'WB-EXPECT-DMAR-FAULT begin twice'), k(10.1, DRHD),
        k(10.1, READ), k(10.2, 'WB-EXPECT-DMAR-FAULT end twice'),
        k(11, 'WB-EXPECT-DMAR-FAULT begin twice'),
        k(11.2, 'WB-EXPECT-DMAR-FAULT end twice'),
        'Subtest twice: SUCCESS'], 0)]))
    st = got.get('kernel/expected-dmar-fault/twice', ('', ''))
    return st[0] == 'PASS' and not splats(got), got


@case
def fault_outside_window_is_a_splat_of_the_running_suite():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        k(9, DRHD), k(9, READ), 'Subtest x: SUCCESS'], 0)]))
    return (splats(got) == ['kernel/splat/igt/edu'] and
            not any(n.startswith('kernel/expected') for n in got) and rc == 1), got


@case
def fault_after_end_fails_window_and_is_a_splat():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        k(10, 'WB-EXPECT-DMAR-FAULT begin early'),
        k(10.2, 'WB-EXPECT-DMAR-FAULT end early'), k(10.3, DRHD), k(10.3, READ),
        'Subtest early: SUCCESS'], 0)]))
    st = got.get('kernel/expected-dmar-fault/early', ('', ''))
    return (st[0] == 'FAIL' and 'after "end"' in st[1] and
            splats(got) == ['kernel/splat/igt/edu']), got


@case
def markers_held_back_from_console_found_in_dump():
    # Console level 5 hides info-level markers during user space; the
    # error-level fault lines still reach the console.
    body = [k(10.1, DRHD), k(10.1, READ), 'Subtest q: SUCCESS']
    dump = [k(10, 'WB-EXPECT-DMAR-FAULT begin q'), k(10.1, DRHD), k(10.1, READ),
            k(10.2, 'WB-EXPECT-DMAR-FAULT end q')]
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', body, 0)], dmesg=dump))
    return (got.get('kernel/expected-dmar-fault/q', ('',))[0] == 'PASS' and
            not splats(got) and rc == 0), got


@case
def kunit_case_window_and_stray_fault_attributed_to_case():
    boot = [k(5, 'KTAP version 1'), k(5, '1..1'),
            k(5, '    KTAP version 1'), k(5, '    # Subtest: qemu_edu'),
            k(5, '    1..2'),
            k(6, '    # edu_fault: WB-EXPECT-DMAR-FAULT begin edu_fault'),
            k(6.1, DRHD), k(6.1, READ),
            k(6.2, '    # edu_fault: WB-EXPECT-DMAR-FAULT end edu_fault'),
            k(6.2, '    ok 1 edu_fault'),
            k(7, DRHD), k(7, WRITE),
            k(7.1, '    ok 2 edu_other'), k(7.2, 'ok 1 qemu_edu')]
    got, rc = run(console(boot=boot, suites=[TAP_OK]))
    return (got.get('kernel/expected-dmar-fault/edu_fault', ('',))[0] == 'PASS'
            and splats(got) == ['kernel/splat/kunit/qemu_edu/edu_other']), got


@case
def unclosed_window_fails():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        k(10, 'WB-EXPECT-DMAR-FAULT begin open'), k(10.1, READ)], 1)], done=False))
    st = got.get('kernel/expected-dmar-fault/open', ('', ''))
    return st[0] == 'FAIL' and 'never closed' in st[1], got


@case
def interrupt_remapping_fault_in_window_is_still_a_splat():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu', 'igt', [
        k(10, 'WB-EXPECT-DMAR-FAULT begin ir'), k(10.1, INTR), k(10.1, READ),
        k(10.2, 'WB-EXPECT-DMAR-FAULT end ir'), 'Subtest ir: SUCCESS'], 0)]))
    return (got.get('kernel/expected-dmar-fault/ir', ('',))[0] == 'PASS' and
            splats(got) == ['kernel/splat/igt/edu']), got


# What v4l2-compliance 1.28.1 prints (trimmed): a section per input,
# "OK (Not Supported)", "fail:" lines before a FAIL, a kernel line in
# between, and the closing count.
V4L2_128 = [
    'v4l2-compliance 1.28.1, 64 bits, 64-bit time_t', '',
    'Compliance test for vivid device /dev/video0:', '',
    'Required ioctls:',
    '\ttest MC information (see \'Media Driver Info\' above): OK',
    '\ttest VIDIOC_QUERYCAP: OK', '',
    'Debug ioctls:',
    '\ttest VIDIOC_DBG_G/S_REGISTER: OK (Not Supported)', '',
    'Buffer ioctls (Input 0):',
    '\ttest VIDIOC_REQBUFS/CREATE_BUFS/QUERYBUF: OK',
    '\ttest VIDIOC_REMOVE_BUFS: OK', '',
    'Test input 0:', '',
    'Streaming ioctls:',
    '\ttest blocking wait: OK',
    k(115.4, 'vivid vivid.0: swiotlb buffer is full (sz: 462848 bytes)'),
    '\t\tfail: v4l2-test-buffers.cpp(2086): ret (got 22)',
    '\ttest DMABUF (no poll): FAIL', '',
    'Total for vivid device /dev/video0: 7, Succeeded: 6, Failed: 1, Warnings: 0',
]


def v4l2_run(body, rc):
    got, _ = run(console(suites=[TAP_OK, ('v4l2-compliance', 'v4l2', body, rc)]))
    return got


@case
def v4l2_128_results_named_by_section():
    got = v4l2_run(V4L2_128, 1)
    want = {
        'Required ioctls/test MC information (see \'Media Driver Info\' above)': 'PASS',
        'Required ioctls/test VIDIOC_QUERYCAP': 'PASS',
        'Debug ioctls/test VIDIOC_DBG_G/S_REGISTER': 'PASS',
        'Buffer ioctls (Input 0)/test VIDIOC_REQBUFS/CREATE_BUFS/QUERYBUF': 'PASS',
        'Buffer ioctls (Input 0)/test VIDIOC_REMOVE_BUFS': 'PASS',
        'Streaming ioctls/test blocking wait': 'PASS',
        'Streaming ioctls/test DMABUF (no poll)': 'FAIL',
    }
    have = {n[len('v4l2-compliance/'):]: st[0] for n, st in got.items()
            if n.startswith('v4l2-compliance/')}
    return have == want and 'v4l2-compliance' not in got, got


@case
def v4l2_run_without_total_fails():
    got = v4l2_run(V4L2_128[:-1], 139)
    st = got.get('v4l2-compliance', ('', ''))
    return st[0] == 'FAIL' and 'did not finish' in st[1], got


@case
def v4l2_unread_result_fails():
    body = [l for l in V4L2_128 if 'REMOVE_BUFS' not in l]
    st = v4l2_run(body, 1).get('v4l2-compliance', ('', ''))
    return st[0] == 'FAIL' and 'counted 7' in st[1], st


@case
def v4l2_nonzero_exit_without_fail_fails():
    body = [l for l in V4L2_128 if 'FAIL' not in l and 'fail:' not in l]
    body[-1] = 'Total for vivid device /dev/video0: 6, Succeeded: 6, Failed: 0, Warnings: 0'
    st = v4l2_run(body, 1).get('v4l2-compliance', ('', ''))
    return st[0] == 'FAIL' and 'rc=1' in st[1], st


@case
def v4l2_result_line_cut_by_a_kernel_line_is_made_whole():
    # The kernel line lands inside a result line still in the tty's
    # buffer; the rest of the line follows the kernel's.
    body = []
    for line in V4L2_128:
        if 'REMOVE_BUFS' in line:
            body += ['\ttest VIDIOC_REMO' +
                     k(115.1, 'mapping the dma-buf failed: -14'),
                     k(115.2, 'failed to attach dmabuf: -95'),
                     'VE_BUFS: OK']
        elif line.startswith('Streaming'):
            body += [line + k(115.3, 'mapping the dma-buf failed: -14'), '']
        else:
            body.append(line)
    got = v4l2_run(body, 1)
    return (got.get('v4l2-compliance/Buffer ioctls (Input 0)/test VIDIOC_REMOVE_BUFS',
                    ('',))[0] == 'PASS' and
            got.get('v4l2-compliance/Streaming ioctls/test DMABUF (no poll)',
                    ('',))[0] == 'FAIL' and
            'v4l2-compliance' not in got), got


@case
def tap_and_frame_lines_cut_by_kernel_lines_are_made_whole():
    # A known failure keeps its name (and its xfail) when the kernel
    # prints before its newline; a frame line cut in two still frames.
    lines = console(suites=[TAP_OK, ('kselftest/heap', 'tap', [
        'TAP version 13', '1..2',
        'not ok 1 Import buffer -1' + k(20, 'failed to attach dmabuf: -95'),
        '', 'ok 2 sync'], 1)])
    end = lines.index('WB-SUITE-END kselftest/heap rc=1')
    lines[end:end + 1] = ['WB-SUITE-E' + k(21, 'mapping the dma-buf failed: -19'),
                          'ND kselftest/heap rc=1']
    got = run_xfails(lines, ['kselftest/heap/Import buffer -1 | known'])
    return (got.get('kselftest/heap/Import buffer -1') == 'XFAIL' and
            got.get('kselftest/heap/sync') == 'PASS' and
            not any(st == 'FAIL' for st in got.values())), got


def run_xfails(lines, xfails, topo='direct'):
    """Run results.py on one topology with an xfails file; return
    {name: status}."""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, topo))
        with open(os.path.join(d, topo, 'console-check.log'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
        xf = os.path.join(d, 'xfails')
        with open(xf, 'w') as f:
            f.write('\n'.join(xfails) + '\n')
        subprocess.run([sys.executable, RESULTS_PY, 'check', d, xf, topo],
                       capture_output=True, text=True)
        got = {}
        with open(os.path.join(d, 'check.log')) as f:
            for line in f:
                _, rest = line.rstrip('\n').split('] ', 1)
                status, _, name = rest.partition(' ')
                got[name.partition('  (')[0]] = status
        return got


@case
def v4l2_matrix_cell_named_and_xfailed_per_topology():
    # A cell of the DMABUF matrix: its refused DMABUF tests are listed
    # for `direct`; on `iommu` the same failure stays a failure, and so
    # does any other test of the cell.
    cell = 'v4l2-compliance/edu-dma-contig<-vim2m'
    body = [l.replace('vivid device', 'qemu_edu device') for l in V4L2_128]
    body.insert(body.index('\ttest blocking wait: OK'), '\ttest MMAP (select): FAIL')
    body[-1] = ('Total for qemu_edu device /dev/video0: 8, Succeeded: 6, '
                'Failed: 2, Warnings: 0')
    lines = console(suites=[TAP_OK, (cell, 'v4l2', body, 1)])
    xf = [f'direct:{cell}/Streaming ioctls/test DMABUF (*) | refused']
    direct = run_xfails(lines, xf, 'direct')
    iommu = run_xfails(lines, xf, 'iommu')
    dmabuf = f'{cell}/Streaming ioctls/test DMABUF (no poll)'
    mmap = f'{cell}/Streaming ioctls/test MMAP (select)'
    ok = (direct.get(dmabuf) == 'XFAIL' and direct.get(mmap) == 'FAIL' and
          iommu.get(dmabuf) == 'FAIL' and
          direct.get(f'{cell}/Required ioctls/test VIDIOC_QUERYCAP') == 'PASS')
    return ok, (direct, iommu)


# Real IGT output (IGT b3d809d5, libigt's own messages), trimmed of stack
# frames.  A failing subtest of an IGT test of ours:
IGT_FAIL = [
    'IGT-Version: 2.2-NO-GIT (x86_64) (Linux: 6.12.57 x86_64)',
    'Using IGT_SRANDOM=1796222540 for randomisation',
    'Starting subtest: bad-attach',
    '(edu-dmabuf:4352) CRITICAL: Test assertion failure function find_edus, file edu-dmabuf.c:147:',
    '(edu-dmabuf:4352) CRITICAL: Failed assertion: 0',
    '(edu-dmabuf:4352) CRITICAL: no /dev/qemu_edu* node',
    'Subtest bad-attach failed.',
    '**** DEBUG ****',
    '(edu-dmabuf:4352) CRITICAL: Test assertion failure function find_edus, file edu-dmabuf.c:147:',
    '(edu-dmabuf:4352) igt_core-INFO: Stack trace:',
    '(edu-dmabuf:4352) igt_core-INFO:   #0 ../src/lib/igt_core.c:2075 __igt_fail_assert()',
    '****  END  ****',
    'Stack trace:',
    '  #0 ../src/lib/igt_core.c:2075 __igt_fail_assert()',
    'Subtest bad-attach: FAIL (0.108s)',
    'Starting subtest: bad-detach',
    'Subtest bad-detach: SUCCESS (0.073s)',
]


@case
def igt_fail_with_debug_dump():
    got, rc = run(console(suites=[TAP_OK, ('igt/edu-dmabuf', 'igt', IGT_FAIL, 98)]))
    return (got.get('igt/edu-dmabuf/bad-attach', ('',))[0] == 'FAIL' and
            got.get('igt/edu-dmabuf/bad-detach', ('',))[0] == 'PASS' and
            'igt/edu-dmabuf/exit-status' not in got and rc == 1), got


# kms_prime where its fixture skipped: result lines without a start line.
IGT_FIXTURE_SKIP = [
    'IGT-Version: 2.2-NO-GIT (x86_64) (Linux: 6.12.57 x86_64)',
    'Test requirement not met in function __igt_unique____real_main393, file ../src/tests/kms_prime.c:404:',
    'Test requirement: first_fd >= 0',
    'Last errno: 2, No such file or directory',
    'Subtest basic-crc-hybrid: SKIP (0.000s)',
    'Subtest D3hot: SKIP (0.000s)',
    'Subtest basic-crc-vgem: SKIP (0.000s)',
]


@case
def igt_skip_without_start_line():
    got, rc = run(console(suites=[TAP_OK, ('igt/kms_prime', 'igt', IGT_FIXTURE_SKIP, 77)]))
    names = sorted(n for n in got if n.startswith('igt/'))
    return (names == ['igt/kms_prime/D3hot', 'igt/kms_prime/basic-crc-hybrid',
                      'igt/kms_prime/basic-crc-vgem'] and
            all(got[n][0] == 'SKIP' for n in names) and rc == 0), got


# Dynamic subtests, one failing, and a crash; as IGT prints them on a tty
# (the guest's console is one): result lines in bold.
IGT_DYNAMIC_TTY = [
    'Starting subtest: dyn',
    'Starting dynamic subtest: pipe-A-Virtual-1',
    '\x1b[1mDynamic subtest pipe-A-Virtual-1: SUCCESS (0.000s)\x1b[0m',
    'Starting dynamic subtest: pipe-B-Virtual-1',
    '(crash:7075) CRITICAL: Failed assertion: 1 == 2',
    'Dynamic subtest pipe-B-Virtual-1 failed.',
    '\x1b[1mDynamic subtest pipe-B-Virtual-1: FAIL (0.170s)\x1b[0m',
    '\x1b[1mSubtest dyn: FAIL (0.171s)\x1b[0m',
    'Starting subtest: segv',
    'Received signal SIGSEGV.',
    'Stack trace: ',
    ' #0 [fatal_sig_handler+0x17b]',
    '\x1b[1mSubtest segv: CRASH (0.007s)\x1b[0m',
]


@case
def igt_dynamic_subtests_and_crash_in_colour():
    got, rc = run(console(suites=[TAP_OK, ('igt/t', 'igt', IGT_DYNAMIC_TTY, 98)]))
    want = {'igt/t/dyn': 'FAIL', 'igt/t/dyn/pipe-A-Virtual-1': 'PASS',
            'igt/t/dyn/pipe-B-Virtual-1': 'FAIL', 'igt/t/segv': 'FAIL'}
    return ({n: got.get(n, ('',))[0] for n in want} == want and
            sorted(n for n in got if n.startswith('igt/')) == sorted(want) and
            rc == 1), got


@case
def igt_dynamic_subtest_that_never_finished():
    got, rc = run(console(suites=[TAP_OK, ('igt/t', 'igt', [
        'Starting subtest: dyn',
        'Starting dynamic subtest: pipe-A-Virtual-1'], 124)]))
    return (got.get('igt/t/dyn/pipe-A-Virtual-1', ('', ''))[1] == 'never finished' and
            got.get('igt/t/dyn', ('', ''))[1] == 'never finished' and rc == 1), got


@case
def splats_of_make_run_console():
    """`splats` fails on a kernel warning in a suite, not on a user-space
    "WARNING" without a timestamp nor on the kernel log dump's copy."""
    warn = k(5.0, 'WARNING: CPU: 0 PID: 1 at kernel/dma/debug.c:1181 x')
    igt = '(zero-copy-demo:185) igt_kms-WARNING: Output Writeback-1 could not be assigned to a pipe'
    outs = []
    for body in ([igt], [igt, warn]):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'console-run.log')
            with open(path, 'w') as f:
                f.write('\n'.join(console(suites=[('demo', 'igt', body, 0)],
                                          dmesg=[warn])) + '\n')
            p = subprocess.run([sys.executable, RESULTS_PY, 'splats', path],
                               capture_output=True, text=True)
            outs.append((p.returncode, p.stdout.strip()))
    return outs == [(0, ''), (1, warn)], outs


def main():
    print('TAP version 13')
    print(f'1..{len(CASES)}')
    failed = 0
    for i, fn in enumerate(CASES, 1):
        try:
            ok, detail = fn()
        except Exception as e:  # a crash of results.py is a failure too
            ok, detail = False, repr(e)
        if not ok:
            failed += 1
            print(f'# {fn.__name__}: {detail}')
        print(f'{"ok" if ok else "not ok"} {i} {fn.__name__}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
