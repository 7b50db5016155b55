/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices behind P2P memory as the tests drive them through sysfs:
 * the NVMe controller whose CMB the p2pmem heap hands out, and binding
 * and unbinding a provider's driver (which revokes its dma-bufs).
 */
#ifndef WB_PROVIDER_H
#define WB_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#define WB_NVME_DRV	"/sys/bus/pci/drivers/nvme"
#define WB_SHM_DRV	"/sys/bus/pci/drivers/qemu_edu_shm"
/* An unbind that takes longer than this under TCG is a hang */
#define WB_UNBIND_TIMEOUT_S	60

/*
 * Unbind @pci from the driver at @drv in a child, so that a hang is
 * reported instead of blocking the test; fails unless it completes in
 * WB_UNBIND_TIMEOUT_S.  Returns the seconds it took.
 */
double wb_unbind_or_fail(const char *drv, const char *pci);
void wb_bind(const char *drv, const char *pci);

/* The NVMe controller whose CMB is published, and its heap node. */
void wb_find_p2pmem_nvme(char *pci, size_t n, char *heap, size_t hn);
/* Wait (30 s at most) until @pci published its CMB again; false if not. */
bool wb_wait_published(const char *pci);

#endif /* WB_PROVIDER_H */
