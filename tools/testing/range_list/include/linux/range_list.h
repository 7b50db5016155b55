/* SPDX-License-Identifier: GPL-2.0-only */
/* The real header, unchanged. */
#include "../../../../../include/linux/range_list.h"
