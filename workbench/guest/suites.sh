# SPDX-License-Identifier: GPL-2.0
# Suites the guest runs, sourced by guest/init.  Host-built binaries are
# in $WB_TOOLS (the host's build cache, seen through the 9p root).

# run_suite NAME FORMAT CMD...: frame one suite's output for the host.
# A suite that runs longer than WB_SUITE_TIMEOUT seconds is killed (rc
# 124 or 137), so one hang cannot eat the whole boot.
run_suite() {
	name=$1 format=$2
	shift 2
	echo "WB-SUITE-BEGIN $name $format"
	case "$1" in
	/*) timeout -k 5 "${WB_SUITE_TIMEOUT:-600}" "$@" 2>&1 </dev/null ;;
	*) "$@" 2>&1 </dev/null ;;
	esac
	rc=$?
	echo "WB-SUITE-END $name rc=$rc"
}

# video_node NAME: the /dev node of the V4L2 device called NAME.
video_node() {
	for n in /sys/class/video4linux/video*; do
		[ "$(cat "$n/name")" = "$1" ] && { echo "/dev/${n##*/}"; return 0; }
	done
	return 1
}

# pci_devices VENDOR DEVICE: sysfs paths of matching PCI functions.
pci_devices() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ] &&
			echo "$d"
	done
}

tap_n=0
tap() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n $2"; else echo "not ok $tap_n $2"; fi
}

# The root port a PCI function hangs below, e.g. 0000:00:01.0.
root_port_of() {
	realpath "$1" | cut -d/ -f5
}

group_of() {
	basename "$(readlink "$1/iommu_group" 2>/dev/null)"
}

# The emulated platform is what we asked QEMU for: the IOMMU on `iommu`
# only, the NVMe CMB published as P2P memory, the ivshmem BAR offered as
# P2P memory without pages, both behind the switch, one edu behind the
# switch next to them and one on a root port of its own; on `bounce`,
# swiotlb really bouncing.
topology_check() {
	echo "TAP version 13"
	if [ "$WB_TOPO" = bounce ]; then echo "1..8"; else echo "1..7"; fi
	ndmar=$(ls /sys/class/iommu 2>/dev/null | wc -l)
	if [ "$WB_TOPO" = iommu ]; then
		[ "$ndmar" -ge 1 ]; tap $? "iommu_active"
	else
		[ "$ndmar" -eq 0 ]; tap $? "iommu_absent"
	fi
	nvme=$(pci_devices 0x1b36 0x0010 | head -n 1)
	[ -n "$nvme" ]; tap $? "nvme_present"
	[ -n "$nvme" ] && [ "$(cat "$nvme/p2pmem/published" 2>/dev/null)" = 1 ]
	tap $? "nvme_p2pmem_published"
	shm=$(pci_devices 0x1af4 0x1110 | head -n 1)
	[ -n "$shm" ] && [ -n "$nvme" ] &&
		[ "$(basename "$(readlink "$shm/driver")")" = qemu_edu_shm ] &&
		[ "$(root_port_of "$shm")" = "$(root_port_of "$nvme")" ]
	tap $? "ivshmem_bar_offered_behind_switch"
	[ "$(pci_devices 0x1234 0x11e8 | wc -l)" -eq 2 ]; tap $? "two_edu_devices"
	edu_sw="" edu_rp=""
	for e in $(pci_devices 0x1234 0x11e8); do
		if [ -n "$nvme" ] && [ "$(root_port_of "$e")" = "$(root_port_of "$nvme")" ]; then
			edu_sw=$e
		else
			edu_rp=$e
		fi
	done
	[ -n "$edu_sw" ] && [ -n "$edu_rp" ]; tap $? "edu_behind_switch_and_on_root_port"
	if [ "$WB_TOPO" = iommu ]; then
		echo "# iommu groups: nvme $(group_of "$nvme"), edu behind the switch $(group_of "$edu_sw"), edu on the root port $(group_of "$edu_rp")"
		[ -n "$(group_of "$edu_rp")" ] &&
			[ "$(group_of "$edu_rp")" != "$(group_of "$nvme")" ]
		tap $? "root_port_edu_in_own_iommu_group"
	else
		[ ! -e "$nvme/iommu_group" ]; tap $? "no_iommu_groups"
	fi
	if [ "$WB_TOPO" = bounce ]; then
		# swiotlb=force took effect: bounce slots have been in use
		# (the high-water mark counts slots held at once; NVMe's
		# probe maps its identify buffers, so it cannot be 0).
		tlb=/sys/kernel/debug/swiotlb
		hiwater=$(cat "$tlb/io_tlb_used_hiwater" 2>/dev/null || echo 0)
		echo "# swiotlb: $(cat "$tlb/io_tlb_nslabs" 2>/dev/null || echo ?) slabs, high water $hiwater"
		grep -qw 'swiotlb=force' /proc/cmdline && [ "$hiwater" -gt 0 ]
		tap $? "swiotlb_forced"
	fi
}

# v4l2-compliance and v4l2-ctl as built by workbench/v4l-utils.sh (not
# Debian's, which is too old for 6.12).
V4L_BIN=$WB_TOOLS/v4l-utils/bin

# v4l_tool NAME: the path of a v4l-utils program, or a message and 1.
v4l_tool() {
	[ -x "$V4L_BIN/$1" ] && { echo "$V4L_BIN/$1"; return 0; }
	echo "$V4L_BIN/$1 is missing: build it with workbench/tools.sh" >&2
	return 1
}

# drm_sysfs DRIVER: the sysfs device of the DRM card DRIVER drives.  vgem
# and vkms register platform devices that no platform driver binds, so
# their modalias names them.
drm_sysfs() {
	for c in /sys/class/drm/card[0-9]*; do
		[ -e "$c/device" ] || continue
		if [ "$(cat "$c/device/modalias" 2>/dev/null)" = "platform:$1" ] ||
			[ "$(basename "$(readlink "$c/device/driver")")" = "$1" ]; then
			realpath "$c/device"
			return 0
		fi
	done
	return 1
}

# IGT's own tests of sharing that apply to vgem and vkms, a regression
# guard for DRM PRIME: kms_prime's basic-crc-vgem exports from vgem,
# scans out on vkms and checks the CRC (its other subtests need a second
# GPU, D3hot an i915 one); vgem_basic, whose dmabuf-export imports a vgem
# buffer into vkms (its unload needs vgem as a module, ours is built in);
# dmabuf_sync_file (its import-* subtests use CONFIG_SW_SYNC).  IGT's
# DRIVER_ANY leaves vkms out, so the device filter names it (IGT finds
# vgem by itself), and igt.sh lets kms_prime and vgem_basic take it.
IGT_OWN_TESTS="kms_prime vgem_basic dmabuf_sync_file"
igt_own() {
	bin=$WB_TOOLS/igt-gpu-tools/build/tests/$1
	[ -x "$bin" ] || { echo "$bin is missing"; return 1; }
	vkms=$(drm_sysfs vkms) || { echo "no vkms DRM device"; return 1; }
	case "$1" in
	kms_prime) set -- "$bin" --run-subtest basic-crc-vgem ;;
	vgem_basic) set -- "$bin" --run-subtest '*,!unload' ;;
	*) set -- "$bin" ;;
	esac
	echo "device filter: sys:$vkms"
	timeout -k 5 "${WB_SUITE_TIMEOUT:-600}" "$@" --device "sys:$vkms"
}

v4l2_compliance() {
	tool=$(v4l_tool v4l2-compliance) || return 1
	cap=$(video_node vivid-000-vid-cap) || { echo "no vivid-000-vid-cap"; return 1; }
	exp=$(video_node vivid-001-vid-cap) || { echo "no vivid-001-vid-cap"; return 1; }
	echo "capture $cap, exporter $exp"
	timeout -k 5 "${WB_SUITE_TIMEOUT:-600}" "$tool" -C never -d "$cap" -s5 -e "$exp" -P
}

# The edu V4L2 mem2mem devices, whose engine really reads and writes the
# buffers by DMA: vm.sh gives qemu_edu0 (in the switch) vb2-dma-contig
# and qemu_edu1 (on a root port) vb2-dma-sg, whose dynamic import takes
# P2P memory: QEMU routes no peer-to-peer requests inside a switch, so
# behind the vIOMMU only the root-port edu can reach the NVMe CMB.  Each
# imports (DMABUF streaming) buffers the other exports.  Every frame
# costs a few edu transfers of ~100 ms, so few.
EDU_M2M="qemu_edu0-m2m-dma-contig qemu_edu1-m2m-dma-sg"
v4l2_compliance_edu() {
	tool=$(v4l_tool v4l2-compliance) || return 1
	dev=$(video_node "$1") || { echo "no $1"; return 1; }
	for other in $EDU_M2M; do
		[ "$other" = "$1" ] || exp=$(video_node "$other") ||
			{ echo "no $other"; return 1; }
	done
	echo "m2m device $dev ($1), exporter $exp"
	timeout -k 5 "${WB_SUITE_TIMEOUT:-600}" "$tool" -C never -d "$dev" -s3 -e "$exp" -P
	rc=$?
	pci=$(basename "$(realpath "/sys/class/video4linux/${dev#/dev/}/device")")
	dbg=/sys/kernel/debug/qemu_edu/$pci
	echo "# $1: $(cat "$dbg/v4l2_frames") frames copied by DMA since boot, the last in $(cat "$dbg/v4l2_frame_ns") ns; $(cat "$dbg/transfers") edu transfers"
	return $rc
}

# The dma-buf uapi fuzzer (dmabuf-fuzz/): a bounded run, WB_FUZZ_SECONDS
# (default 120) with 4 threads; fewer than WB_FUZZ_MIN_CALLS calls fail
# it.  WB_FUZZ_SEED picks the seed (default: from the clock, printed).
# Its TAP gives the call count; the coverage is in its log (suite name
# fuzz/dmabuf-fuzz, for WB_ONLY).  FUZZ_KNOWN:
# the findings it reported that are kept out (dmabuf-fuzz/README.md);
# WB_FUZZ_KNOWN= (empty) lets them in.
FUZZ_KNOWN=dma-debug-overlap,export-seg-max,m2m-request-fd-eperm
dmabuf_fuzz() {
	bin=$WB_TOOLS/fuzz/dmabuf-fuzz
	[ -x "$bin" ] || { echo "$bin is missing"; return 1; }
	secs=${WB_FUZZ_SECONDS:-120}
	timeout -k 5 $((secs + 300)) "$bin" --seconds "$secs" --threads 4 \
		--min-calls "${WB_FUZZ_MIN_CALLS:-35000}" \
		${WB_FUZZ_SEED:+--seed "$WB_FUZZ_SEED"} \
		--exclude-finding "${WB_FUZZ_KNOWN-$FUZZ_KNOWN}" \
		${WB_FUZZ_EXCLUDE:+--exclude "$WB_FUZZ_EXCLUDE"}
}

run_check() {
	run_suite topology tap topology_check
	# WB_APPEND=WB_KUNIT_ONLY=1: the boot-time KUnit suites only
	[ "${WB_KUNIT_ONLY:-0}" = 1 ] && return 0
	for t in "$WB_TOOLS"/kselftest/*; do
		[ -x "$t" ] && wanted "kselftest/${t##*/}" &&
			run_suite "kselftest/${t##*/}" tap "$t"
	done
	for t in "$WB_TOOLS"/igt/*; do
		[ -x "$t" ] && wanted "igt/${t##*/}" &&
			run_suite "igt/${t##*/}" igt "$t"
	done
	for t in $IGT_OWN_TESTS; do
		wanted "igt/$t" && run_suite "igt/$t" igt igt_own "$t"
	done
	wanted v4l2-compliance && run_suite v4l2-compliance v4l2 v4l2_compliance
	for d in $EDU_M2M; do
		wanted "v4l2-compliance/$d" &&
			run_suite "v4l2-compliance/$d" v4l2 v4l2_compliance_edu "$d"
	done
	wanted fuzz/dmabuf-fuzz && run_suite fuzz/dmabuf-fuzz tap dmabuf_fuzz
	return 0
}

# WB_APPEND=WB_ONLY=GLOB: of the user-space suites, only those whose name
# (kselftest/udmabuf, igt/edu-dmabuf, igt/kms_prime, v4l2-compliance,
# v4l2-compliance/qemu_edu1-m2m-dma-sg)
# matches GLOB.
wanted() {
	# shellcheck disable=SC2254
	case "$1" in
	${WB_ONLY:-*}) return 0 ;;
	esac
	return 1
}

show_platform() {
	echo "== PCI devices (bus vendor:device class driver)"
	for d in /sys/bus/pci/devices/*; do
		drv=-
		[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
		echo "${d##*/} $(cat "$d/vendor"):$(cat "$d/device") $(cat "$d/class") $drv"
	done
	echo "== IOMMU groups"
	found=0
	for g in /sys/kernel/iommu_groups/*; do
		[ -d "$g" ] || continue
		found=1
		echo "group ${g##*/}: $(ls "$g/devices" | tr '\n' ' ')"
	done
	[ $found = 1 ] || echo "(none: no IOMMU on this topology)"
	echo "== P2P memory providers"
	for p in /sys/bus/pci/devices/*/p2pmem; do
		[ -d "$p" ] || continue
		d=${p%/p2pmem}
		echo "${d##*/}: size $(cat "$p/size") available $(cat "$p/available") published $(cat "$p/published")"
	done
}

run_demo() {
	run_suite platform text show_platform
	run_suite demo igt "$WB_TOOLS/igt/zero-copy-demo"
}

run_bench() {
	echo "WB-SUITE-BEGIN bench csv"
	for f in /sys/kernel/debug/*/bench.csv; do
		[ -r "$f" ] && cat "$f"
	done
	echo "WB-SUITE-END bench rc=0"
}

dump_kernel_log() {
	# Two scans: an object is reported only once it has stayed
	# unreferenced across a scan.  Booted with kmemleak=off (the demo),
	# the file is there but refuses to scan.
	if [ -w /sys/kernel/debug/kmemleak ] &&
		echo scan 2>/dev/null >/sys/kernel/debug/kmemleak; then
		sleep 5
		echo scan >/sys/kernel/debug/kmemleak
		echo "WB-SUITE-BEGIN kmemleak text"
		cat /sys/kernel/debug/kmemleak
		echo "WB-SUITE-END kmemleak rc=0"
	fi
	echo "WB-SUITE-BEGIN dmesg text"
	dmesg --color=never
	echo "WB-SUITE-END dmesg rc=0"
}
