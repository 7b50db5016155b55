/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One redirection hook instead of KUnit's table: the tests set
 * shim_stub_hook to a replacement for the (single) stubbed function.
 */
#ifndef _RL_SHIM_KUNIT_STATIC_STUB_H
#define _RL_SHIM_KUNIT_STATIC_STUB_H

extern void *shim_stub_hook;

#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...)		\
do {									\
	if (shim_stub_hook) {						\
		__typeof__(&real_fn_name) _r = shim_stub_hook;		\
		return _r(args);					\
	}								\
} while (0)

#endif
