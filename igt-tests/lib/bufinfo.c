// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs dma_buf/bufinfo, as the series prints it: a line per buffer
 * (size, flags, mode, count, exporter, inode, name), a tab-indented line
 * per attached device and, under it, a line per mapping: the API and
 * where the core got the ranges ("list", "sgt<-list": from the exporter's
 * range list; "list<-sgt": from its sg_table) and the number of ranges
 * it routed by PCI bus address and through the host bridge, and whether
 * the mapping is one IOVA range.
 */
#include "igt.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bufinfo.h"
#include "devices.h"

struct wb_route wb_bufinfo_route(int fd, const char *pci)
{
	struct wb_route r = {};
	bool ours = false, dev = false;
	char line[512];
	struct stat st;
	FILE *f;

	wb_assert_sys(fstat(fd, &st));
	f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "r");
	igt_assert_f(f, "bufinfo: %m\n");
	while (fgets(line, sizeof(line), f)) {
		unsigned long bus, hb, ranges, meta;
		char *p;

		if (line[0] != '\t') {
			char *tok = strtok(line, "\t"), *ino = NULL;

			for (int i = 0; tok && i < 6; i++, tok = strtok(NULL, "\t"))
				if (i == 5)
					ino = tok;
			ours = ino && strtoul(ino, NULL, 10) == st.st_ino;
			dev = false;
			continue;
		}
		if (!ours)
			continue;
		if (line[1] != '\t') {
			line[strcspn(line, "\n")] = 0;
			dev = !strcmp(line + 1, pci);
			r.attached |= dev;
			continue;
		}
		if (!dev || !strstr(line, "mapping "))
			continue;
		r.mappings++;
		/* "mapping list ..." and "mapping sgt<-list ...", not "list<-sgt" */
		if (strstr(line, "mapping list ") || strstr(line, "mapping sgt<-list "))
			r.from_list++;
		/* "mapping list ..." and "mapping list<-sgt ..." */
		if (strstr(line, "mapping list"))
			r.list_api++;
		p = strstr(line, " ranges ");
		if (p && sscanf(p, " ranges %lu meta %lu", &ranges, &meta) == 2) {
			r.ranges += ranges;
			r.meta += meta;
		}
		r.iova += !!strstr(line, " iova yes");
		p = strstr(line, "p2p-bus ");
		if (p && sscanf(p, "p2p-bus %lu p2p-host-bridge %lu", &bus, &hb) == 2) {
			r.bus += bus;
			r.host_bridge += hb;
		}
	}
	fclose(f);
	return r;
}
