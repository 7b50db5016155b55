// SPDX-License-Identifier: GPL-2.0
/* Device helpers for the zero-copy tests. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices.h"

int v4l2_open_by_name(const char *name)
{
	char path[300], buf[64];
	struct dirent *de;
	DIR *dir;
	int fd = -1;

	dir = opendir("/sys/class/video4linux");
	if (!dir)
		wb_skip("no V4L2 devices (/sys/class/video4linux)\n");
	while ((de = readdir(dir))) {
		FILE *f;

		if (strncmp(de->d_name, "video", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/video4linux/%s/name",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) &&
		    !strncmp(buf, name, strlen(name)) && buf[strlen(name)] == '\n') {
			snprintf(path, sizeof(path), "/dev/%s", de->d_name);
			fd = open(path, O_RDWR);
			igt_assert_f(fd >= 0, "open %s: %m\n", path);
		}
		fclose(f);
		if (fd >= 0)
			break;
	}
	closedir(dir);
	if (fd < 0)
		wb_skip("no V4L2 device named %s\n", name);
	return fd;
}

int wb_drm_open(int chipset)
{
	int fd;

	if (!wb_skip_is_fail())
		return drm_open_driver(chipset);
	fd = __drm_open_driver(chipset);
	igt_assert_f(fd >= 0, "no DRM device for driver mask %#x\n", chipset);
	return fd;
}

void camera_start(struct camera *cam, const char *name, unsigned int count,
		  size_t min_size)
{
	struct v4l2_create_buffers create = {
		.count = count,
		.memory = V4L2_MEMORY_MMAP,
	};
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	unsigned int i;

	igt_assert(count <= 8);
	memset(cam, 0, sizeof(*cam));
	/* Not open until the open returns: one that fails leaves nothing */
	cam->fd = -1;
	cam->fd = v4l2_open_by_name(name);
	cam->fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	wb_assert_sys(ioctl(cam->fd, VIDIOC_G_FMT, &cam->fmt));
	create.format = cam->fmt;
	if (min_size > create.format.fmt.pix.sizeimage)
		create.format.fmt.pix.sizeimage = min_size;
	wb_assert_sys(ioctl(cam->fd, VIDIOC_CREATE_BUFS, &create));
	igt_assert_f(create.count == count && create.index == 0,
		     "got buffers %u..%u, asked %u\n", create.index,
		     create.index + create.count, count);
	cam->count = count;
	for (i = 0; i < count; i++) {
		struct v4l2_buffer b = {
			.index = i,
			.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};

		wb_assert_sys(ioctl(cam->fd, VIDIOC_QUERYBUF, &b));
		cam->len[i] = b.length;
		cam->map[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED,
				   cam->fd, b.m.offset);
		igt_assert(cam->map[i] != MAP_FAILED);
		wb_assert_sys(ioctl(cam->fd, VIDIOC_QBUF, &b));
	}
	wb_assert_sys(ioctl(cam->fd, VIDIOC_STREAMON, &type));
}

unsigned int camera_dequeue(struct camera *cam, size_t *used)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_MMAP,
	};
	struct pollfd p = { .fd = cam->fd, .events = POLLIN };
	int n = poll(&p, 1, 10000);

	wb_assert_sys(n);
	igt_assert_f(n > 0, "no frame from the camera in 10 s\n");
	wb_assert_sys(ioctl(cam->fd, VIDIOC_DQBUF, &b));
	igt_assert(!(b.flags & V4L2_BUF_FLAG_ERROR));
	*used = b.bytesused;
	return b.index;
}

int camera_export(struct camera *cam, unsigned int index)
{
	struct v4l2_exportbuffer eb = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.index = index,
		.flags = O_RDWR | O_CLOEXEC,
	};

	wb_assert_sys(ioctl(cam->fd, VIDIOC_EXPBUF, &eb));
	return eb.fd;
}

void camera_stop(struct camera *cam)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	unsigned int i;

	ioctl(cam->fd, VIDIOC_STREAMOFF, &type);
	for (i = 0; i < cam->count; i++)
		munmap(cam->map[i], cam->len[i]);
	close(cam->fd);
	cam->fd = -1;
}

uint32_t crc32_le(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return crc;
}

bool wb_bouncing(void)
{
	char cmd[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	igt_assert(f);
	igt_assert(fgets(cmd, sizeof(cmd), f));
	fclose(f);
	return strstr(cmd, "swiotlb=force");
}

bool wb_iommu_present(void)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			found = true;
	closedir(d);
	return found;
}

bool wb_find_entry(const char *dir, const char *glob, char *out, size_t n)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		if (!fnmatch(glob, de->d_name, 0)) {
			snprintf(out, n, "%s", de->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

bool wb_read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, n, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

void wb_root_port_of(const char *pci, char *out, size_t n)
{
	char path[PATH_MAX], real[PATH_MAX], *p;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", pci);
	igt_assert_f(realpath(path, real), "realpath %s: %m\n", path);
	/* /sys/devices/pci0000:00/<root port>/... */
	p = strchr(real + strlen("/sys/devices/"), '/');
	igt_assert_f(p, "no root port in %s\n", real);
	snprintf(out, n, "%s", p + 1);
	p = strchr(out, '/');
	if (p)
		*p = '\0';
}
