#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hot-unplug and re-plug PCI devices of a running workbench guest.

    hotplug.py --qmp SOCK --ctl SOCK --log FILE [--backend ID=SPEC...]
               ID=SPEC [ID=SPEC...]

vm.sh starts this beside QEMU.  QEMU serves its monitor (QMP) on one unix
socket and a second serial port (the guest's ttyS1) on another; guest
tests write one request a line to ttyS1 and read the answer there:

    list        ->  ok <id> <id>...
    del <id>    ->  ok del <id> <ms>    once QEMU reports DEVICE_DELETED
    add <id>    ->  ok add <id> <ms>    once device_add returned
    anything    ->  err <reason>

Only the ids given on the command line can be removed or added; SPEC is
the -device argument vm.sh gave QEMU for that id, so device_add brings
back the same device on the same bus.  PCIe native hot-unplug is the
attention-button sequence: the guest waits 5 s, removes the driver and
powers the slot off, and only then does QEMU delete the device, so "del"
answers after the guest's removal finished (or after DEL_TIMEOUT_S).
"add" answers when QEMU created the device; the guest waits until its
driver bound.  A device whose SPEC names memdev=X gets a new memory
backend like X (--backend X=SPEC) at every add: QEMU 7.2 aborts when a
re-added ivshmem takes the backend its removed predecessor used
(qemu_ram_set_idstr: Assertion `!new_block->idstr[0]'), and the old
backend is deleted once its device is gone.

The helper exits when QEMU closes either socket, so it
never outlives the VM, and it only reads sockets: boots that never ask
pay nothing.
"""
import argparse
import json
import os
import select
import socket
import sys
import time

CONNECT_TIMEOUT_S = 60  # QEMU creates the sockets at startup
DEL_TIMEOUT_S = 120     # pciehp's 5 s plus the driver's remove() under TCG


class QEMUGone(Exception):
    pass


def connect(path, deadline):
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise QEMUGone(f'no QEMU socket at {path}')
            time.sleep(0.1)


class Lines:
    """Line reader over a socket; raises QEMUGone at end of file."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b''

    def fileno(self):
        return self.sock.fileno()

    def fill(self):
        data = self.sock.recv(4096)
        if not data:
            raise QEMUGone('socket closed')
        self.buf += data

    def pop(self):
        """The next complete line, or None."""
        if b'\n' not in self.buf:
            return None
        line, self.buf = self.buf.split(b'\n', 1)
        return line.decode(errors='replace').strip('\r\x00 ')


class QMP:
    def __init__(self, sock):
        self.lines = Lines(sock)
        self.events = []
        self.read()  # the greeting
        self.execute('qmp_capabilities')

    def read(self, timeout=None):
        """The next message, or None after @timeout seconds."""
        while True:
            line = self.lines.pop()
            if line:
                return json.loads(line)
            if not select.select([self.lines], [], [], timeout)[0]:
                return None
            self.lines.fill()

    def execute(self, cmd, **args):
        msg = {'execute': cmd}
        if args:
            msg['arguments'] = args
        self.lines.sock.sendall(json.dumps(msg).encode() + b'\r\n')
        while True:
            reply = self.read()
            if 'event' in reply:
                if reply['event'] == 'DEVICE_DELETED':
                    self.events.append(reply)
                continue
            if 'error' in reply:
                raise RuntimeError(reply['error'].get('desc', str(reply)))
            return reply.get('return')

    def wait_event(self, name, dev_id, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev['event'] == name and ev.get('data', {}).get('device') == dev_id:
                    del self.events[i]
                    return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ev = self.read(left)
            if ev and ev.get('event') == name:
                self.events.append(ev)


class Backends:
    """Fresh memory backends for re-added devices (see the top)."""

    def __init__(self, specs):
        self.specs = specs  # vm.sh's backend id -> -object SPEC without id
        self.current = {}   # device id -> the backend it uses now
        self.n = 0

    def for_add(self, qmp, spec):
        """The device SPEC with a new backend in place of memdev=X."""
        props = spec.split(',')
        for i, p in enumerate(props):
            key, _, val = p.partition('=')
            if key == 'memdev' and val in self.specs:
                self.n += 1
                new = f'{val}-replug{self.n}'
                hmp(qmp, f'object_add {self.specs[val]},id={new}')
                props[i] = f'memdev={new}'
        return ','.join(props)

    def after_del(self, qmp, dev_id):
        """Delete the backend of a removed device, if it was one of ours."""
        old = self.current.pop(dev_id, None)
        if old:
            hmp(qmp, f'object_del {old}')

    def used(self, dev_id, spec):
        """Device @dev_id now runs with @spec."""
        for p in spec.split(','):
            key, _, val = p.partition('=')
            if key == 'memdev' and val.split('-replug')[0] in self.specs:
                self.current[dev_id] = val


def hmp(qmp, line):
    """A human monitor command, which parses arguments as the command line
    does; raises RuntimeError with its message if it printed one."""
    out = qmp.execute('human-monitor-command', **{'command-line': line})
    if out and out.strip():
        raise RuntimeError(f'{line.split()[0]}: {out.strip()}')


def handle(qmp, devices, backends, req):
    words = req.split()
    if words == ['list']:
        return 'ok ' + ' '.join(sorted(devices))
    if len(words) != 2 or words[0] not in ('del', 'add'):
        return f'err unknown request {req!r} (list, del <id>, add <id>)'
    op, dev_id = words
    if dev_id not in devices:
        return (f'err refused: {dev_id} is not hot-pluggable here '
                f'(only {", ".join(sorted(devices))})')
    start = time.monotonic()
    try:
        if op == 'del':
            # A DEVICE_DELETED of an earlier, timed-out del is stale.
            qmp.events = [e for e in qmp.events if e['event'] != 'DEVICE_DELETED']
            qmp.execute('device_del', id=dev_id)
            if not qmp.wait_event('DEVICE_DELETED', dev_id, DEL_TIMEOUT_S):
                return (f'err {dev_id}: no DEVICE_DELETED within {DEL_TIMEOUT_S} s '
                        '(the guest did not finish the removal)')
            backends.after_del(qmp, dev_id)
        else:
            spec = backends.for_add(qmp, devices[dev_id])
            hmp(qmp, 'device_add ' + spec)
            backends.used(dev_id, spec)
    except RuntimeError as e:
        return f'err {op} {dev_id}: {e}'
    return f'ok {op} {dev_id} {int((time.monotonic() - start) * 1000)}'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--qmp', required=True)
    ap.add_argument('--ctl', required=True)
    ap.add_argument('--log', required=True)
    ap.add_argument('--backend', action='append', default=[],
                    help='ID=SPEC of a memory backend a device may use')
    ap.add_argument('device', nargs='+', help='ID=SPEC')
    a = ap.parse_args()
    devices = dict(d.split('=', 1) for d in a.device)
    backends = Backends(dict(b.split('=', 1) for b in a.backend))
    for dev_id, spec in devices.items():
        backends.used(dev_id, spec)

    with open(a.log, 'a', buffering=1) as log:
        def note(msg, quiet=False):
            line = f'hotplug: {msg}'
            log.write(line + '\n')
            if not quiet:
                print(line, file=sys.stderr, flush=True)

        try:
            deadline = time.monotonic() + CONNECT_TIMEOUT_S
            qmp = QMP(connect(a.qmp, deadline))
            ctl = Lines(connect(a.ctl, deadline))
            note(f'ready for {", ".join(sorted(devices))}', quiet=True)
            while True:
                ready = select.select([ctl, qmp.lines], [], [])[0]
                if qmp.lines in ready:
                    ev = qmp.read(0)
                    if ev and ev.get('event') == 'DEVICE_DELETED':
                        qmp.events.append(ev)
                if ctl in ready:
                    ctl.fill()
                    while (req := ctl.pop()) is not None:
                        if not req:
                            continue
                        note(f'guest asks: {req}')
                        ans = handle(qmp, devices, backends, req)
                        note(ans)
                        ctl.sock.sendall(ans.encode() + b'\n')
        except QEMUGone as e:
            note(f'QEMU gone ({e}), exiting', quiet=True)
        except (OSError, ValueError) as e:
            note(f'error: {e}, exiting')
        except KeyboardInterrupt:
            note('interrupted, exiting', quiet=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
