/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the unit tests and the fuzzer: an array model of a list. */
#ifndef _RL_HARNESS_H
#define _RL_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/range_list.h>
#include "../../../lib/range_list_internal.h"

/* Allocation control for the stubbed chunk allocator. */
extern int harness_fail_in;	/* fail the Nth allocation from now; 0: never */
extern int harness_forbid;	/* any allocation is a bug */
extern long harness_allocs;
void harness_install(void);
void harness_uninstall(void);

/* Returns 0 on success, or the number of mismatches found. */
long harness_run(const uint8_t *data, size_t size);

#endif
