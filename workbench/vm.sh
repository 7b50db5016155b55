#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh TOPOLOGY MODE FLAVOR: boot the built kernel of FLAVOR on one
# emulated topology and run guest/init in MODE (check, run, bench).  The
# serial console streams to stdout and to results/TOPOLOGY/console.log.
#
# Topologies (all q35):
#   iommu   intel-iommu; root port -> PCIe switch -> {nvme with a 64 MiB
#           CMB, ivshmem with 4 MiB of shared memory, edu}; a second
#           edu on its own root port.  Both edus drive 64-bit addresses
#           (QEMU's default is 28 bits), so every path is decided by
#           topology, not by the DMA mask; the KUnit suite narrows the
#           mask itself to test refusals.
#   direct  the same devices, no IOMMU
#   bounce  `direct` booted with swiotlb=force: the DMA API bounces every
#           streaming mapping through the software IO TLB, so the swiotlb
#           map, sync and unmap paths run under every test
#
# The NVMe controller and the ivshmem device can be hot-unplugged and
# plugged back while the guest runs: guest tests ask hotplug.py on the
# guest's second serial port (ttyS1), which drives QEMU's monitor.
#
# QEMU runs with TCG: nested KVM hangs on our machines.  WB_ACCEL=kvm
# overrides it; WB_TIMEOUT (seconds) bounds the whole boot; WB_APPEND adds
# to the kernel command line.

. "$(dirname "$0")/lib.sh"

topo=${1:-}
mode=${2:-}
flavor=${3:-}
case "$topo" in
iommu|direct|bounce) ;;
*) die "unknown topology '$topo' (iommu, direct or bounce)" ;;
esac
case "$mode" in
check|run|bench) ;;
*) die "unknown guest mode '$mode' (check, run or bench)" ;;
esac
need_tool qemu-system-x86_64 timeout

# WB_KERNEL boots another image of the same flavour (a kept or mutant
# build) with this flavour's configuration and tools.
kernel=${WB_KERNEL:-$WB_CACHE/build-$flavor/arch/x86/boot/bzImage}
[ -f "$kernel" ] || die "no kernel at $kernel: build it first (make build)"
out=$RESULTS/$topo
mkdir -p "$out"

# PCIe native hot-plug (pciehp) for every port, not QEMU's ACPI hot-plug,
# which q35 uses by default for cold-plugged devices too: then no port
# shows a device present, and pciehp, finding every slot empty, would
# power them all off.
machine="-M q35,kernel-irqchip=split -global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off"
iommu=""
[ "$topo" = iommu ] && iommu="-device intel-iommu,intremap=on"

# 9p root: the host file system, read-only.  Every value QEMU parses is
# a plain path, so the repository may live anywhere without spaces.
case "$REPO$WB_CACHE" in
*[[:space:],]*) die "the repository and WB_CACHE paths must not contain spaces or commas" ;;
esac

cmdline="console=ttyS0 root=host rootfstype=9p ro
rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose
init=$REPO/workbench/guest/init panic=-1 oops=panic
vivid.n_devs=4 vivid.allocators=1,1,0,0 cma=128M hugepages=1100
qemu_edu.dma_bits=64 qemu_edu.v4l2_memops=dma-contig,dma-sg
p2pdma.allow_qemu_q35=1 pcie_ports=native
WB_MODE=$mode WB_TOPO=$topo WB_REPO=$REPO WB_TOOLS=$WB_CACHE/tools"
# vivid: instances 0 and 1 use vb2-dma-contig, 2 and 3 vb2-vmalloc, so
# that each allocator imports from and exports to each (guest/suites.sh,
# the DMABUF streaming matrix).
# pcie_ports=native: pciehp drives the slots, so that device_del and
# device_add reach the guest.  QEMU's _OSC grants native hot-plug, but the
# kernel asks for control only with extended config space, ASPM and
# clock PM support, which our config leaves out (no PCI_MMCONFIG, no PM);
# the kernel has no AER, DPC nor PME for the option to switch on.
[ "$topo" = iommu ] && cmdline="$cmdline intel_iommu=on"
[ "$topo" = direct ] && cmdline="$cmdline intel_iommu=off"
[ "$topo" = bounce ] && cmdline="$cmdline intel_iommu=off swiotlb=force"
# The demo needs none of the debug kernel's boot-time tests, which take
# minutes under TCG: kunit.enable=0 makes the KUnit executor skip every
# built-in suite; CONFIG_DMABUF_SELFTESTS has no off switch, but a
# subtest filter that names no subtest leaves its five suites a few
# allocations (dma_fence_chain's wait_backward alone takes ~3 minutes);
# kmemleak=off spares the guest's two final scans of 6 GiB (~100 s).
[ "$mode" = run ] &&
	cmdline="$cmdline kunit.enable=0 dmabuf_selftests.st_filter=none kmemleak=off"
# For quick iterations, e.g. WB_APPEND="kunit.filter_glob=qemu_edu* WB_KUNIT_ONLY=1"
# or WB_APPEND="kunit.filter_glob=dma_buf* WB_ONLY=igt/edu-dmabuf" (a glob of
# user-space suite names; see guest/suites.sh).
cmdline="$cmdline ${WB_APPEND:-}"

edu_mask=0xffffffffffffffff
# The hot-pluggable devices: hotplug.py re-adds each with the same -device
# argument, so it comes back on the same bus with the same properties.
nvme_dev=nvme,serial=wb-cmb,cmb_size_mb=64,bus=sw0,id=wb-nvme
shm_mem=memory-backend-ram,size=4M,share=on
shm_dev=ivshmem-plain,memdev=shm,bus=sw2,id=wb-ivshmem
# Its sockets live in a short private directory (unix socket paths are
# limited to 108 bytes); the helper exits when QEMU closes them.
need_tool python3 mktemp
sockdir=$(mktemp -d "${TMPDIR:-/tmp}/wb-vm.XXXXXX")
helper=""
cleanup() {
	[ -z "$helper" ] || kill "$helper" 2>/dev/null || true
	[ -z "$helper" ] || wait "$helper" 2>/dev/null || true
	rm -rf "$sockdir"
}
trap cleanup EXIT
python3 "$REPO/workbench/hotplug.py" --qmp "$sockdir/qmp" --ctl "$sockdir/ctl" \
	--log "$out/hotplug-$mode.log" --backend "shm=$shm_mem" \
	"wb-nvme=$nvme_dev" "wb-ivshmem=$shm_dev" \
	</dev/null &
helper=$!
timeout_s=${WB_TIMEOUT:-1500}
say "booting $flavor kernel on topology '$topo' ($mode), timeout ${timeout_s}s"
start=$(date +%s)
set +e
# shellcheck disable=SC2086
timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 \
	$machine -accel "${WB_ACCEL:-tcg}" -cpu max -smp 2 -m 6G \
	-nographic -no-reboot -nodefaults -serial stdio \
	-qmp "unix:$sockdir/qmp,server=on,wait=off" \
	-chardev "socket,id=wbctl,path=$sockdir/ctl,server=on,wait=off" \
	-serial chardev:wbctl \
	$iommu \
	-device pcie-root-port,id=rp1,chassis=1,slot=1 \
	-device x3130-upstream,id=sw,bus=rp1 \
	-device xio3130-downstream,id=sw0,bus=sw,chassis=2,slot=0 \
	-device xio3130-downstream,id=sw1,bus=sw,chassis=3,slot=1 \
	-device xio3130-downstream,id=sw2,bus=sw,chassis=5,slot=2 \
	-device "$nvme_dev" \
	-device edu,bus=sw1,dma_mask=$edu_mask \
	-object "$shm_mem,id=shm" \
	-device "$shm_dev" \
	-device pcie-root-port,id=rp2,chassis=4,slot=2 \
	-device edu,bus=rp2,dma_mask=$edu_mask \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=host \
	-kernel "$kernel" -append "$(echo $cmdline)" \
	</dev/null 2>&1 | tee "$out/console-$mode.log"
rc=${PIPESTATUS[0]}
set -e
echo "$(($(date +%s) - start))" >"$out/boot-seconds-$mode"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	say "guest on '$topo' timed out after ${timeout_s}s"
	exit 124
fi
[ "$rc" -eq 0 ] || die "qemu exited with $rc on '$topo'"
