// SPDX-License-Identifier: GPL-2.0
/* P2P memory providers driven through sysfs (provider.h) */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices.h"
#include "provider.h"

static void sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	igt_assert_f(fd >= 0, "open %s: %m\n", path);
	igt_assert_f(write(fd, val, strlen(val)) == (ssize_t)strlen(val),
		     "write %s to %s: %m\n", val, path);
	close(fd);
}

double wb_unbind_or_fail(const char *drv, const char *pci)
{
	char path[PATH_MAX];
	int status, waited;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/unbind", drv);
	igt_info("unbinding %s from %s\n", pci, drv);
	/* A plain child: it only writes, and a hung one is left behind */
	pid = fork();
	wb_assert_sys(pid);
	if (pid == 0) {
		int fd = open(path, O_WRONLY);

		_exit(fd >= 0 && write(fd, pci, strlen(pci)) ==
		      (ssize_t)strlen(pci) ? 0 : 1);
	}
	for (waited = 0; waited < WB_UNBIND_TIMEOUT_S * 10; waited++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100 * 1000);
	}
	igt_assert_f(waited < WB_UNBIND_TIMEOUT_S * 10,
		     "unbinding %s did not complete in %d s\n", pci,
		     WB_UNBIND_TIMEOUT_S);
	igt_assert_f(WIFEXITED(status) && !WEXITSTATUS(status),
		     "writing %s to %s failed\n", pci, path);
	igt_info("unbound in %.1f s\n", waited / 10.0);
	return waited / 10.0;
}

void wb_bind(const char *drv, const char *pci)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/bind", drv);
	sysfs_write(path, pci);
}

void wb_find_p2pmem_nvme(char *pci, size_t n, char *heap, size_t hn)
{
	char path[PATH_MAX], v[8] = "";
	struct dirent *de;
	DIR *d = opendir(WB_NVME_DRV);
	int fd;

	igt_assert_f(d, "no nvme driver\n");
	pci[0] = '\0';
	while ((de = readdir(d))) {
		if (!strchr(de->d_name, ':'))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/p2pmem/published", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (read(fd, v, 1) == 1 && v[0] == '1')
			snprintf(pci, n, "%s", de->d_name);
		close(fd);
	}
	closedir(d);
	igt_assert_f(pci[0], "no nvme controller publishes its CMB\n");
	snprintf(heap, hn, "/dev/dma_heap/p2pmem-%s", pci);
}

bool wb_wait_published(const char *pci)
{
	char path[PATH_MAX], v[8];
	bool ok = false;
	int i, fd;

	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%s/p2pmem/published", pci);
	for (i = 0; i < 300 && !ok; i++) {
		fd = open(path, O_RDONLY);
		if (fd >= 0) {
			ok = read(fd, v, 1) == 1 && v[0] == '1';
			close(fd);
		}
		if (!ok)
			usleep(100 * 1000);
	}
	return ok;
}

