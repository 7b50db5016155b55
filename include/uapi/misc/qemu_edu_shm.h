/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * QEMU ivshmem BAR exported as dma-bufs, for tests of P2P memory without
 * struct page.
 *
 * Each ivshmem device bound to the qemu_edu_shm driver has a character
 * device /dev/qemu_edu_shmN.  QEMU_EDU_SHM_IOC_EXPORT returns a dma-buf of
 * a page-aligned window of the device's shared memory BAR.  The buffer is
 * revocable: when the device is unbound, importers are told to unmap
 * (move_notify), later mappings fail with -ENODEV and CPU mappings of the
 * buffer fault with SIGBUS.  Only importers that can be notified
 * (dynamic importers) may attach.  The buffer can be mmap()ed MAP_SHARED,
 * uncached.
 *
 * Errors common to every ioctl: -ENODEV once the device is being or has
 * been unbound, -EFAULT for a bad argument pointer, -ENOTTY for an
 * unknown ioctl.
 */
#ifndef _UAPI_MISC_QEMU_EDU_SHM_H
#define _UAPI_MISC_QEMU_EDU_SHM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct qemu_edu_shm_info - the shared memory BAR
 * @bar_size: out: bytes of the BAR
 * @flags: out: zero
 * @pad: out: zero
 */
struct qemu_edu_shm_info {
	__u64 bar_size;
	__u32 flags;
	__u32 pad;
};

/**
 * struct qemu_edu_shm_export - export a window of the BAR as a dma-buf
 * @offset: in: start of the window in the BAR, a multiple of the page size
 * @length: in: bytes, not zero, a multiple of the page size
 * @fd_flags: in: flags of the new file descriptor: O_CLOEXEC and an access
 *	mode (O_RDONLY, O_WRONLY or O_RDWR), nothing else
 * @fd: out: the dma-buf file descriptor
 *
 * Errors: -EINVAL for a zero @length, an @offset or @length that is not
 * page aligned, a window that ends past the BAR or an unknown @fd_flags
 * bit; -EOVERFLOW if @offset + @length wraps around; -ENOMEM; or the
 * errno of getting a file descriptor.  On error no buffer exists.
 */
struct qemu_edu_shm_export {
	__u64 offset;
	__u64 length;
	__u32 fd_flags;
	__s32 fd;
};

#define QEMU_EDU_SHM_IOC_MAGIC	0xEE
#define QEMU_EDU_SHM_IOC_INFO	_IOR(QEMU_EDU_SHM_IOC_MAGIC, 0x00, struct qemu_edu_shm_info)
#define QEMU_EDU_SHM_IOC_EXPORT	_IOWR(QEMU_EDU_SHM_IOC_MAGIC, 0x01, struct qemu_edu_shm_export)

#endif /* _UAPI_MISC_QEMU_EDU_SHM_H */
