/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _RL_SHIM_MINMAX_H
#define _RL_SHIM_MINMAX_H
#define min(a, b)							\
	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b);		\
	   _Static_assert(__builtin_types_compatible_p(__typeof__(a),	\
						       __typeof__(b)),	\
			  "min() of different types");			\
	   _a < _b ? _a : _b; })
#define max(a, b)							\
	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b);		\
	   _Static_assert(__builtin_types_compatible_p(__typeof__(a),	\
						       __typeof__(b)),	\
			  "max() of different types");			\
	   _a > _b ? _a : _b; })
#define min3(a, b, c)		min((__typeof__(a))min(a, b), c)
#define min_t(type, a, b)	min((type)(a), (type)(b))
#endif
