/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dma-buf core's own account of who maps a buffer (debugfs
 * dma_buf/bufinfo), so that tests check the route the core chose for a
 * device, not only what the ioctl returned.
 */
#ifndef WB_BUFINFO_H
#define WB_BUFINFO_H

#include <stdbool.h>

/* What bufinfo says of one device's attachment to one dma-buf */
struct wb_route {
	bool attached;		/* the device is attached to the buffer */
	int mappings;		/* mapping lines under its attachment */
	int from_list;		/* of those, made from the exporter's range list */
	int list_api;		/* of those, the importer's range-list API's */
	unsigned long bus;	/* ranges used by PCI bus address */
	unsigned long host_bridge; /* P2P ranges mapped through the host bridge */
	unsigned long ranges;	/* DMA ranges of all its mappings */
	unsigned long meta;	/* bytes the core holds to describe them */
	int iova;		/* mappings through one IOVA range (an IOMMU) */
};

/*
 * The attachment of the device named @pci (a PCI address such as
 * "0000:03:00.0", or a platform device's name such as "vgem") to dma-buf
 * @fd
 */
struct wb_route wb_bufinfo_route(int fd, const char *pci);

#endif /* WB_BUFINFO_H */
