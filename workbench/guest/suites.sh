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

# video_node NAME: the /dev node of the V4L2 device called NAME.  With
# the shell's own read: a program started for each of the ~25 nodes
# would cost seconds under TCG.
video_node() {
	for n in /sys/class/video4linux/video*; do
		read -r vname <"$n/name" && [ "$vname" = "$1" ] &&
			{ echo "/dev/${n##*/}"; return 0; }
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

# The DMABUF streaming matrix: v4l2-compliance streams an importer with
# DMABUF buffers that an exporter made and exported (VIDIOC_EXPBUF), one
# run ("cell") per pair; its result lines are the cell's results, under
# the suite v4l2-compliance/IMPORTER<-EXPORTER.  Roles are named by
# driver and videobuf2 allocator.  vm.sh boots four vivid instances:
# vivid-000 and vivid-001 with vb2-dma-contig, vivid-002 and vivid-003
# with vb2-vmalloc; the first of each pair imports, the second exports,
# since one capture queue cannot do both.  An m2m device (vim2m, which
# uses vb2-vmalloc, and the edus) opens a context per file handle, so
# one edu can be importer and exporter of a cell.
#
# How v4l2-compliance 1.28.1 picks the queues (v4l2-test-buffers.cpp,
# testDmaBuf and setupDmaBuf): an m2m importer imports on its OUTPUT
# queue (CAPTURE stays MMAP); the exporter exports MMAP buffers of its
# CAPTURE queue if its caps say VIDEO_CAPTURE(_MPLANE), else of its
# OUTPUT queue: vivid exports capture buffers, vim2m and the edus, whose
# caps say VIDEO_M2M only, their OUTPUT buffers, in the format a fresh
# file handle gets (vim2m 640x480 RGB565, 614400 bytes; edu 128x64 GREY,
# 8192 bytes).  Each exported buffer must be at least as long as the
# importer's, so before an edu exporter the importing vivid is switched
# to its HDMI input (3), where the scaler takes 64x64 YUYV, 8192 bytes;
# v4l2-compliance streams the input and format it finds, and the vivid
# goes back to input 0 (which resets the format) afterwards.
#
# Cells that must be refused (a non-contiguous buffer into dma-contig
# without an IOMMU) fail their DMABUF lines here: workbench/xfails lists
# them with the reason, and igt/vb2-dmabuf-import asserts the errno of
# each such pair.  The exporters v4l2-compliance cannot drive (udmabuf,
# system and CMA heap) are igt/vb2-dmabuf-import's too.
V4L2_IMPORTERS="vivid-dma-contig vivid-vmalloc edu-dma-sg edu-dma-contig"
V4L2_EXPORTERS="vivid-dma-contig vivid-vmalloc vim2m edu-dma-sg edu-dma-contig"

# v4l2_role ROLE import|export: the V4L2 device name of ROLE.
v4l2_role() {
	case "$1 $2" in
	"vivid-dma-contig import") echo vivid-000-vid-cap ;;
	"vivid-dma-contig export") echo vivid-001-vid-cap ;;
	"vivid-vmalloc import") echo vivid-002-vid-cap ;;
	"vivid-vmalloc export") echo vivid-003-vid-cap ;;
	"vim2m export") echo vim2m ;;
	"edu-dma-sg "*) echo qemu_edu1-m2m-dma-sg ;;
	"edu-dma-contig "*) echo qemu_edu0-m2m-dma-contig ;;
	*) return 1 ;;
	esac
}

# Streamed frames per test: an edu frame costs 0.8 s of edu transfers
# and each cell streams seven tests (MMAP x3, USERPTR x2, DMABUF x2), so
# one; vivid makes frames at 30 fps, two.
v4l2_frames() {
	case "$1" in
	edu-*) echo 1 ;;
	*) echo 2 ;;
	esac
}

# v4l2_cell IMPORTER EXPORTER: one cell of the matrix.
v4l2_cell() {
	tool=$(v4l_tool v4l2-compliance) || return 1
	iname=$(v4l2_role "$1" import) || { echo "$1 imports in no cell"; return 1; }
	ename=$(v4l2_role "$2" export) || { echo "$2 exports in no cell"; return 1; }
	dev=$(video_node "$iname") || { echo "no importer $1 ($iname)"; return 1; }
	exp=$(video_node "$ename") || { echo "no exporter $2 ($ename)"; return 1; }
	shrink=0
	case "$1 $2" in
	"vivid-"*" edu-"*) shrink=1 ;;
	esac
	if [ $shrink = 1 ]; then
		ctl=$(v4l_tool v4l2-ctl) || return 1
		"$ctl" -d "$dev" --set-input=3 \
			--set-fmt-video=width=64,height=64,pixelformat=YUYV >/dev/null ||
			{ echo "$iname: cannot set input 3, 64x64 YUYV"; return 1; }
		echo "# $iname: $("$ctl" -d "$dev" --get-fmt-video | tr -s ' \t\n' ' ')"
	fi
	echo "importer $dev ($iname, $1), exporter $exp ($ename, $2)"
	start=$(date +%s)
	timeout -k 5 "${WB_SUITE_TIMEOUT:-600}" "$tool" -C never -d "$dev" \
		-s"$(v4l2_frames "$1")" -e "$exp" -P
	rc=$?
	echo "# cell $1<-$2: $(($(date +%s) - start)) s"
	if [ $shrink = 1 ]; then
		"$ctl" -d "$dev" --set-input=0 >/dev/null ||
			{ echo "$iname: cannot go back to input 0"; rc=1; }
	fi
	case "$1" in
	edu-*)
		pci=$(realpath "/sys/class/video4linux/${dev#/dev/}/device")
		dbg=/sys/kernel/debug/qemu_edu/${pci##*/}
		read -r frames <"$dbg/v4l2_frames"
		read -r ns <"$dbg/v4l2_frame_ns"
		read -r transfers <"$dbg/transfers"
		echo "# $iname: $frames frames copied by DMA since boot, the last in $ns ns; $transfers edu transfers"
		;;
	esac
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
	# WB_APPEND=WB_IGT_RUN=GLOB: only those subtests of our IGT binaries
	for t in "$WB_TOOLS"/igt/*; do
		[ -x "$t" ] && wanted "igt/${t##*/}" &&
			run_suite "igt/${t##*/}" igt "$t" \
				${WB_IGT_RUN:+--run-subtest "$WB_IGT_RUN"}
	done
	for t in $IGT_OWN_TESTS; do
		wanted "igt/$t" && run_suite "igt/$t" igt igt_own "$t"
	done
	for i in $V4L2_IMPORTERS; do
		for e in $V4L2_EXPORTERS; do
			wanted "v4l2-compliance/$i<-$e" &&
				run_suite "v4l2-compliance/$i<-$e" v4l2 v4l2_cell "$i" "$e"
		done
	done
	wanted fuzz/dmabuf-fuzz && run_suite fuzz/dmabuf-fuzz tap dmabuf_fuzz
	return 0
}

# WB_APPEND=WB_ONLY=GLOB[,GLOB...]: of the user-space suites, only those
# whose name (kselftest/udmabuf, igt/edu-dmabuf, igt/kms_prime,
# v4l2-compliance/edu-dma-sg<-edu-dma-contig) matches one of the GLOBs.
wanted() {
	set -f
	old_ifs=$IFS
	IFS=,
	for glob in ${WB_ONLY:-*}; do
		# shellcheck disable=SC2254
		case "$1" in
		$glob) IFS=$old_ifs; set +f; return 0 ;;
		esac
	done
	IFS=$old_ifs
	set +f
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
