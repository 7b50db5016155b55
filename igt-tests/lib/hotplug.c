// SPDX-License-Identifier: GPL-2.0
/* The guest's side of workbench/hotplug.py (see hotplug.h). */
/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "devices.h"
#include "hotplug.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

/*
 * The host's "del" waits up to 120 s for the guest to finish the removal
 * (pciehp's 5 s attention-button delay, then the drivers' remove()): a
 * little more here, so that the host's own reason arrives first.
 */
#define ANSWER_TIMEOUT_S	150

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The port in raw mode, with stale input dropped; -1 and @why on failure */
static int tty_open(char *why, size_t n)
{
	struct termios t;
	int fd = open(WB_HOTPLUG_TTY, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, n, "open %s: %m", WB_HOTPLUG_TTY);
		return -1;
	}
	if (tcgetattr(fd, &t) < 0) {
		snprintf(why, n, "%s is not a tty: %m", WB_HOTPLUG_TTY);
		close(fd);
		return -1;
	}
	/* No echo, no line editing, no CR/LF translation in either direction */
	cfmakeraw(&t);
	cfsetspeed(&t, B115200);
	tcsetattr(fd, TCSANOW, &t);
	tcflush(fd, TCIOFLUSH);
	return fd;
}

/*
 * Send @req and read one answer line into @ans within @timeout_s;
 * returns false with @ans describing what went wrong.
 */
static bool ask(const char *req, char *ans, size_t n, int timeout_s)
{
	char line[512];
	size_t len = 0;
	double deadline = now_s() + timeout_s;
	int fd = tty_open(ans, n);

	if (fd < 0)
		return false;
	snprintf(line, sizeof(line), "%s\n", req);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		snprintf(ans, n, "write to %s: %m", WB_HOTPLUG_TTY);
		close(fd);
		return false;
	}
	while (len < sizeof(line) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now_s();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) == 0) {
			snprintf(ans, n, "no answer to '%s' from the host's hotplug helper on %s within %d s",
				 req, WB_HOTPLUG_TTY, timeout_s);
			close(fd);
			return false;
		}
		r = read(fd, line + len, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(ans, n, "read %s: %m", WB_HOTPLUG_TTY);
			close(fd);
			return false;
		}
		if (line[len] == '\n')
			break;
		/* Noise before the answer (a NUL at power-up) is skipped */
		if (line[len] != '\r' && line[len] != '\0')
			len++;
	}
	line[len] = '\0';
	close(fd);
	snprintf(ans, n, "%s", line);
	return true;
}

bool wb_hotplug_offers(const char *id, char *why, size_t n)
{
	char ans[512], *tok, *save;

	if (!ask("list", ans, sizeof(ans), 10)) {
		snprintf(why, n, "%s (workbench/vm.sh runs workbench/hotplug.py beside QEMU)",
			 ans);
		return false;
	}
	if (strncmp(ans, "ok ", 3)) {
		snprintf(why, n, "the hotplug helper answered '%s' to 'list'", ans);
		return false;
	}
	for (tok = strtok_r(ans + 3, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		if (!strcmp(tok, id))
			return true;
	snprintf(why, n, "the hotplug helper does not offer device id %s", id);
	return false;
}

unsigned int wb_hotplug(const char *op, const char *id)
{
	char req[128], ans[512], want[160];
	unsigned int ms = 0;
	double t0 = now_s();

	snprintf(req, sizeof(req), "%s %s", op, id);
	igt_info("asking the host: %s\n", req);
	igt_assert_f(ask(req, ans, sizeof(ans), ANSWER_TIMEOUT_S), "%s\n", ans);
	snprintf(want, sizeof(want), "ok %s %s %%u", op, id);
	igt_assert_f(sscanf(ans, want, &ms) == 1,
		     "the host could not '%s': %s\n", req, ans);
	igt_info("host: %s done in %u ms (%.1f s as the guest saw it)\n", req,
		 ms, now_s() - t0);
	return ms;
}

double wb_pci_wait_gone(const char *pci, int timeout_s)
{
	char path[PATH_MAX];
	double t0 = now_s();

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", pci);
	while (!access(path, F_OK) && now_s() - t0 < timeout_s)
		usleep(100 * 1000);
	igt_assert_f(access(path, F_OK) < 0,
		     "%s is still present %d s after the host removed it\n",
		     pci, timeout_s);
	return now_s() - t0;
}

int wb_uevent_open(void)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK, .nl_groups = 1, /* the kernel's */
	};
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);

	igt_assert_f(fd >= 0, "uevent socket: %m\n");
	igt_assert_f(!bind(fd, (struct sockaddr *)&addr, sizeof(addr)),
		     "bind the uevent socket: %m\n");
	return fd;
}

/* Is the uevent @msg of @len bytes "bind" of @pci to @driver? */
static bool is_bind(const char *msg, size_t len, const char *pci,
		    const char *driver)
{
	const char *end = msg + len, *p;
	size_t n = strlen(pci), hl = strlen(msg);
	char want[128];
	bool drv = false;

	/* "bind@/devices/.../0000:03:00.0", then "KEY=value" strings */
	if (strncmp(msg, "bind@", 5) || hl < n + 1 || msg[hl - n - 1] != '/' ||
	    strcmp(msg + hl - n, pci))
		return false;
	snprintf(want, sizeof(want), "DRIVER=%s", driver);
	for (p = msg + hl + 1; p < end; p += strlen(p) + 1)
		drv |= !strcmp(p, want);
	return drv;
}

double wb_uevent_wait_bind(int sock, const char *pci, const char *driver,
			   int timeout_s)
{
	double t0 = now_s();
	char msg[8192];

	for (;;) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		double left = t0 + timeout_s - now_s();
		ssize_t r;

		igt_assert_f(left > 0 && poll(&p, 1, (int)(left * 1000) + 1) > 0,
			     "no bind of %s to %s within %d s after the host added it\n",
			     pci, driver, timeout_s);
		r = recv(sock, msg, sizeof(msg) - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		igt_assert_f(r >= 0, "recv uevent: %m\n");
		msg[r] = '\0';
		if (is_bind(msg, r, pci, driver))
			return now_s() - t0;
	}
}
