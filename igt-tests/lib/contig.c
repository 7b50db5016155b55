// SPDX-License-Identifier: GPL-2.0
/*
 * What a vb2-dma-contig queue must do with an imported dma-buf; see
 * contig.h.
 */
#define _GNU_SOURCE
#include "igt.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "contig.h"

#define PAGE	4096UL

const char *wb_tri_str(enum wb_tri t, const char *yes, const char *no)
{
	return t == WB_YES ? yes : t == WB_NO ? no : "unknown";
}

bool wb_v4l2_behind_iommu(int fd)
{
	char path[PATH_MAX];
	struct stat st;

	wb_assert_sys(fstat(fd, &st));
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/iommu_group",
		 major(st.st_rdev), minor(st.st_rdev));
	return !access(path, F_OK);
}

/*
 * /proc/zoneinfo counts each zone's CMA pages.  On x86-64 ZONE_DMA and
 * ZONE_DMA32 end at 4 GiB, ZONE_NORMAL is above.
 */
enum wb_tri wb_cma_above_4g(void)
{
	unsigned long low = 0, high = 0, n;
	char line[256], zone[32] = "";
	FILE *f = fopen("/proc/zoneinfo", "r");

	igt_assert_f(f, "open /proc/zoneinfo: %m\n");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %*d, zone %31s", zone) == 1)
			continue;
		if (sscanf(line, " cma %lu", &n) == 1) {
			if (!strcmp(zone, "Normal") || !strcmp(zone, "Movable"))
				high += n;
			else
				low += n;
		}
	}
	fclose(f);
	igt_info("CMA pages: %lu below 4 GiB, %lu above\n", low, high);
	igt_assert_f(low + high, "/proc/zoneinfo counts no CMA pages\n");
	return !low ? WB_YES : !high ? WB_NO : WB_UNKNOWN;
}

void wb_pagemap_pages(const uint8_t *(*page)(const void *ctx, size_t i),
		      const void *ctx, size_t pages, enum wb_tri *contig,
		      enum wb_tri *high)
{
	uint64_t first = 0, e, top = 0;
	bool runs = true;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	igt_assert_f(fd >= 0, "open /proc/self/pagemap: %m\n");
	for (size_t i = 0; i < pages; i++) {
		const uint8_t *p = page(ctx, i);
		off_t off = (uintptr_t)p / PAGE * sizeof(e);

		(void)*(volatile const uint8_t *)p;
		igt_assert(pread(fd, &e, sizeof(e), off) == sizeof(e));
		igt_assert_f(e >> 63, "page %zu of the buffer is not present\n", i);
		e &= (1ULL << 55) - 1;
		igt_assert_f(e, "pagemap hides PFNs: not root?\n");
		if (!i)
			first = e;
		else if (e != first + i)
			runs = false;
		top = max(top, e);
	}
	close(fd);
	*contig = runs ? WB_YES : WB_NO;
	*high = (top + 1) * PAGE > (1ULL << 32) ? WB_YES : WB_NO;
}

int wb_contig_qbuf_expect(const char *who, bool dma32, size_t len,
			  enum wb_tri contig, enum wb_tri high)
{
	bool bounce;

	igt_info("%s: the exporter's first %zu bytes: contiguous %s, above 4 GiB %s\n",
		 who, len, wb_tri_str(contig, "yes", "no"),
		 wb_tri_str(high, "yes", "no"));
	/*
	 * swiotlb bounces every page under swiotlb=force, and, for a device
	 * with a 32-bit mask, the pages above 4 GiB.  The bounce slots of
	 * scattered pages may be adjacent, or not; and a contiguous buffer
	 * longer than swiotlb's longest mapping (IO_TLB_SEGSIZE slots, 256
	 * KiB) reaches the importer split at that size, its pieces bounced
	 * separately, adjacent or not.
	 */
	bounce = wb_bouncing() || (dma32 && high == WB_YES);
	if (bounce || (dma32 && high == WB_UNKNOWN))
		return WB_TAKEN_OR_EFAULT;
	if (contig == WB_UNKNOWN)
		return WB_TAKEN_OR_EFAULT;
	return contig == WB_YES ? 0 : EFAULT;
}

bool wb_qbuf_judge(const char *who, const char *what, int err, int want)
{
	if (want == WB_TAKEN_OR_EFAULT)
		igt_assert_f(!err || err == EFAULT,
			     "%s: QBUF of %s: got %s, want success or EFAULT\n",
			     who, what, strerror(err));
	else
		igt_assert_f(err == want, "%s: QBUF of %s: got %s, want %s\n",
			     who, what, err ? strerror(err) : "success",
			     want ? strerror(want) : "success");
	igt_info("%s: QBUF of %s: %s\n", who, what,
		 err ? strerror(err) : "taken");
	return !err;
}
