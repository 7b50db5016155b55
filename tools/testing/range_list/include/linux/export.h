/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _RL_SHIM_EXPORT_H
#define _RL_SHIM_EXPORT_H
#define EXPORT_SYMBOL_GPL(sym)
#endif
