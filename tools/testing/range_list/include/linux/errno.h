/* SPDX-License-Identifier: GPL-2.0-only */
/* Same as the uapi header; glibc's errno.h includes it too. */
#include <asm/errno.h>
