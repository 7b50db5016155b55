/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _RL_SHIM_INIT_H
#define _RL_SHIM_INIT_H
#define __init
/* Run initcalls as constructors before main() or the fuzzer start. */
#define core_initcall(fn)						\
	static void __attribute__((constructor)) fn##_ctor(void)	\
	{								\
		fn();							\
	}
#endif
