/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hot-unplugging and re-plugging PCI devices of the workbench VM.
 *
 * The guest cannot remove a device the way hardware goes away; the host
 * can.  workbench/vm.sh runs workbench/hotplug.py beside QEMU and wires
 * it to the guest's second serial port: a request line written there
 * ("del <id>", "add <id>", "list") makes the helper run device_del or
 * device_add through QEMU's monitor, and its answer ("ok ..." or "err
 * <reason>") comes back on the same port.
 */
#ifndef WB_HOTPLUG_H
#define WB_HOTPLUG_H

#include <stdbool.h>
#include <stddef.h>

#define WB_HOTPLUG_TTY	"/dev/ttyS1"

/*
 * Is the host helper there and does it offer @id?  Any failure is
 * described in @why (for the subtest's skip message).
 */
bool wb_hotplug_offers(const char *id, char *why, size_t n);

/*
 * Ask the host to "del" or "add" device @id and wait for its answer.
 * "del" answers once QEMU deleted the device (the guest removed it),
 * "add" once QEMU created it (the guest still has to find and bind it).
 * Asserts success; returns the host's time for the command in ms.
 */
unsigned int wb_hotplug(const char *op, const char *id);

/* Assert that /sys/bus/pci/devices/@pci is gone within @timeout_s. */
double wb_pci_wait_gone(const char *pci, int timeout_s);

/*
 * A socket that receives the kernel's uevents, opened before the device
 * is added so that none is missed.
 */
int wb_uevent_open(void);

/*
 * Wait on @sock for the "bind" uevent of PCI device @pci and driver
 * @driver; asserts it arrives within @timeout_s, returns the seconds it
 * took.  The kernel sends it after the driver's probe() returned and
 * after the bus notifiers of the bind ran (the p2pmem heap learns of its
 * provider there), unlike sysfs' driver link, which appears before probe()
 * runs.
 */
double wb_uevent_wait_bind(int sock, const char *pci, const char *driver,
			   int timeout_s);

#endif /* WB_HOTPLUG_H */
