// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer entry point: any mismatch or leak aborts the run. */
#include <stdio.h>
#include <stdlib.h>
#include <linux/slab.h>
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long bad;

	harness_install();
	bad = harness_run(data, size);
	harness_uninstall();
	if (bad || shim_live_objects) {
		fprintf(stderr, "fuzz: %ld mismatches, %ld chunks leaked\n",
			bad, shim_live_objects);
		abort();
	}
	return 0;
}
