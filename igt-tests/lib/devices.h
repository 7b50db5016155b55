/* SPDX-License-Identifier: GPL-2.0 */
/* Finding and driving the emulated devices the zero-copy tests share. */
#ifndef IGT_DEVICES_H
#define IGT_DEVICES_H

#include <stddef.h>
#include <stdint.h>
#include <linux/videodev2.h>

/* Open the V4L2 node whose sysfs name is @name (e.g. "vivid-000-vid-cap"). */
int v4l2_open_by_name(const char *name);

/* Open the DRM primary node of the driver called @driver (e.g. "vgem"). */
int drm_open_driver(const char *driver);

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

#endif
