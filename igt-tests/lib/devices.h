/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding and driving the devices the zero-copy tests share, on top of
 * IGT's library.
 */
#ifndef WB_DEVICES_H
#define WB_DEVICES_H

/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "igt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <linux/videodev2.h>

/*
 * A device a subtest needs is missing: skip, as IGT does, unless
 * IGT_SKIP_IS_FAIL is set.  The workbench's VM sets it: there every
 * device exists, so a subtest that would skip has found a bug and fails.
 */
static inline bool wb_skip_is_fail(void)
{
	return getenv("IGT_SKIP_IS_FAIL") != NULL;
}

#define wb_require_f(cond, f...) do {				\
	if (wb_skip_is_fail())					\
		igt_assert_f(cond, "IGT_SKIP_IS_FAIL: " f);	\
	else							\
		igt_require_f(cond, f);				\
} while (0)
#define wb_skip(f...) wb_require_f(false, f)

/*
 * A call that returns -1 and sets errno on failure.  The message names
 * the call as written (IGT's comparison asserts would print the ioctl
 * numbers' macros expanded) and its errno.
 */
#define wb_assert_sys(expr) do {					\
	if ((expr) < 0)							\
		igt_assert_f(false, "%s: %m\n", #expr);		\
} while (0)

/*
 * Each subtest of ours sets this deadline when it starts: one that hangs
 * fails, and the next one runs.
 */
#define WB_SUBTEST_TIMEOUT_S	120

/*
 * The DRM device of @chipset (DRIVER_VGEM, DRIVER_VKMS ...) through IGT,
 * so that IGT's device filters (--device, IGT_DEVICE) choose it.
 */
int wb_drm_open(int chipset);

/* The first entry of @dir whose name matches @glob, into @out */
bool wb_find_entry(const char *dir, const char *glob, char *out, size_t n);
/* The first line of @path, without its newline */
bool wb_read_line(const char *path, char *buf, size_t n);
/* The root port above PCI device @pci, e.g. "0000:00:02.0", into @out */
void wb_root_port_of(const char *pci, char *out, size_t n);

/* swiotlb=force on the kernel command line (topology bounce) */
bool wb_bouncing(void);
/* An IOMMU is registered (topology iommu); not every device is behind it */
bool wb_iommu_present(void);

/* Open the V4L2 node whose sysfs name is @name (e.g. "vivid-000-vid-cap"). */
int v4l2_open_by_name(const char *name);

/* A capture device streaming into @count MMAP buffers of one plane. */
struct camera {
	int fd;
	struct v4l2_format fmt;
	unsigned int count;
	void *map[8];
	size_t len[8];
};

/*
 * Start streaming @count MMAP buffers of at least @min_size bytes each (0:
 * the format's size), so one buffer can also serve a device that wants
 * larger frames.
 */
void camera_start(struct camera *cam, const char *name, unsigned int count,
		  size_t min_size);
/* Dequeue the next filled buffer; returns its index, bytesused in *used. */
unsigned int camera_dequeue(struct camera *cam, size_t *used);
/* Export buffer @index as a dma-buf; returns the fd. */
int camera_export(struct camera *cam, unsigned int index);
void camera_stop(struct camera *cam);

/*
 * The kernel's crc32_le() (reflected 0xedb88320, no final xor), which the
 * edu driver reports for what the device read.
 */
uint32_t crc32_le(uint32_t crc, const uint8_t *p, size_t len);

#endif /* WB_DEVICES_H */
