#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run the unit tests and a bounded fuzz session; print one TAP stream.
o=$1
secs=${2:-30}
n=$("$o/range_list_test" --count) || exit 1
echo "TAP version 13"
echo "1..$((n + 1))"
"$o/range_list_test"
rc=$?
mkdir -p "$o/corpus"
log="$o/fuzz.log"
"$o/range_list_fuzz" -max_total_time="$secs" -max_len=512 -seed=1 \
	-print_final_stats=1 -artifact_prefix="$o/" "$o/corpus" >"$log" 2>&1
frc=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
bad=$(grep -c '^# mismatch' "$log")
if [ $frc -eq 0 ] && [ -n "$runs" ]; then
	echo "ok $((n + 1)) - fuzz: $runs executions, $bad mismatches"
else
	grep -m 20 -e '^# mismatch' -e 'ERROR' -e 'SUMMARY' "$log" | sed 's/^\([^#]\)/# \1/'
	echo "not ok $((n + 1)) - fuzz: ${runs:-?} executions, $bad mismatches (see $log)"
	rc=1
fi
exit $rc
