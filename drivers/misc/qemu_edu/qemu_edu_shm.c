// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU's ivshmem-plain device as P2P memory without struct page.
 *
 * BAR 2 of ivshmem is plain RAM on the host side, so a peer can DMA to and
 * from it like to a GPU's VRAM aperture.  This driver offers the BAR with
 * pcim_p2pdma_init() and creates no pages for it: the edu tests use it to
 * prove that dma_map_phys_list() maps such a range for the provider its
 * owner names (BAR 2 only, never the register BAR 0) and
 * that the device then reads and writes the right bytes.
 */
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>

#include "qemu_edu.h"

#define SHM_BAR		2

static struct pci_driver qemu_edu_shm_driver;

/**
 * qemu_edu_shm_from_pci() - the shared memory of a bound ivshmem device
 * @pdev: a PCI device, for example from pci_get_device()
 *
 * Context: Any context; the caller keeps the driver bound.
 * Return: the state, or NULL if @pdev is not bound to this driver.
 */
struct qemu_edu_shm *qemu_edu_shm_from_pci(struct pci_dev *pdev)
{
	if (pdev->driver != &qemu_edu_shm_driver)
		return NULL;
	return pci_get_drvdata(pdev);
}
EXPORT_SYMBOL_GPL(qemu_edu_shm_from_pci);

static int qemu_edu_shm_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	struct qemu_edu_shm *shm;
	int ret;

	shm = devm_kzalloc(&pdev->dev, sizeof(*shm), GFP_KERNEL);
	if (!shm)
		return -ENOMEM;
	shm->pdev = pdev;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (!(pci_resource_flags(pdev, SHM_BAR) & IORESOURCE_MEM))
		return -ENODEV;
	shm->phys = pci_resource_start(pdev, SHM_BAR);
	shm->len = pci_resource_len(pdev, SHM_BAR);
	shm->va = pcim_iomap_region(pdev, SHM_BAR, KBUILD_MODNAME);
	if (IS_ERR(shm->va))
		return PTR_ERR(shm->va);

	ret = pcim_p2pdma_init(pdev);
	if (ret)
		return ret;
	shm->mem = pcim_p2pdma_provider(pdev, SHM_BAR);
	if (!shm->mem)
		return -ENODEV;

	pci_set_drvdata(pdev, shm);
	pci_info(pdev, "%pa + %pa offered as P2P memory without struct page\n",
		 &shm->phys, &shm->len);
	return 0;
}

static const struct pci_device_id qemu_edu_shm_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, qemu_edu_shm_ids);

static struct pci_driver qemu_edu_shm_driver = {
	.name = "qemu_edu_shm",
	.id_table = qemu_edu_shm_ids,
	.probe = qemu_edu_shm_probe,
};

/**
 * qemu_edu_shm_register() - register the ivshmem driver
 *
 * Context: Process context, from the module's init.
 * Return: 0 or the errno of pci_register_driver().
 */
int qemu_edu_shm_register(void)
{
	return pci_register_driver(&qemu_edu_shm_driver);
}

/**
 * qemu_edu_shm_unregister() - unregister the ivshmem driver
 *
 * Context: Process context, from the module's exit.
 */
void qemu_edu_shm_unregister(void)
{
	pci_unregister_driver(&qemu_edu_shm_driver);
}
