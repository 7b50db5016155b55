/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * QEMU edu DMA engine as a dma-buf importer, for tests.
 *
 * Each bound edu device has a character device /dev/qemu_eduN.  One open
 * file holds at most one dma-buf attachment: QEMU_EDU_IOC_ATTACH attaches
 * the device to a dma-buf as a dynamic, peer-to-peer capable importer and
 * maps it, QEMU_EDU_IOC_CHECKSUM lets the device read a window of the
 * buffer and reports checksums of what it read, QEMU_EDU_IOC_WRITE lets
 * the device write a pattern into the window, QEMU_EDU_IOC_PAGE_CHECKSUM
 * reports what the CPU sees through the pages of an sg_table mapping,
 * QEMU_EDU_IOC_DETACH (or closing the file) ends the attachment.
 *
 * Errors common to every ioctl: -EINVAL for unknown flags, values or
 * non-zero padding, -ENODEV once the edu device is unbound or the
 * buffer's memory was revoked by its exporter.
 */
#ifndef _UAPI_MISC_QEMU_EDU_H
#define _UAPI_MISC_QEMU_EDU_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* How the device may access the buffer (struct qemu_edu_attach.dir) */
#define QEMU_EDU_DIR_TO_DEVICE		0	/* device reads: CHECKSUM */
#define QEMU_EDU_DIR_FROM_DEVICE	1	/* device writes: WRITE */
#define QEMU_EDU_DIR_BIDIRECTIONAL	2	/* both */

/* Which importer API maps the buffer (struct qemu_edu_attach.api) */
#define QEMU_EDU_API_LIST		0	/* dma_buf_map_attachment_list() */
#define QEMU_EDU_API_SGT		1	/* dma_buf_map_attachment() */

/*
 * Attach as an importer that does not accept peer-to-peer memory; mapping
 * a buffer with P2P ranges then fails with -EREMOTEIO.
 */
#define QEMU_EDU_ATTACH_NO_P2P		(1U << 0)
#define QEMU_EDU_ATTACH_FLAGS		QEMU_EDU_ATTACH_NO_P2P

/**
 * struct qemu_edu_attach - attach to a dma-buf and map it
 * @fd: in: the dma-buf file descriptor
 * @flags: in: QEMU_EDU_ATTACH_* flags
 * @offset: in: start of the window in the buffer, in bytes
 * @length: in: length of the window in bytes, not zero
 * @dir: in: QEMU_EDU_DIR_*
 * @api: in: QEMU_EDU_API_*
 * @nr_ranges: out: DMA ranges of the whole mapping
 * @win_ranges: out: DMA ranges that intersect the window
 *
 * The whole buffer is mapped; CHECKSUM and WRITE use [@offset, @offset +
 * @length).  Errors: -EBADF for a bad @fd, -EINVAL if @fd is not a
 * dma-buf, for a zero @length, a window past the end of the buffer or an
 * unknown @dir, @api or flag, -EOVERFLOW if @offset + @length overflows,
 * -EBUSY if this file already holds an attachment, -EREMOTEIO for
 * peer-to-peer memory the device may not or cannot reach, -ENODEV for a
 * revoked buffer, or what the exporter returned.  On error nothing stays
 * attached or mapped.
 */
struct qemu_edu_attach {
	__s32 fd;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u32 dir;
	__u32 api;
	__u32 nr_ranges;
	__u32 win_ranges;
};

/**
 * struct qemu_edu_range - one DMA range of the window, as the device read it
 * @offset: out: start of the range, relative to the window
 * @length: out: bytes in the range
 * @crc: out: crc32_le of the range's bytes, seed ~0, not inverted
 * @pad: zero
 */
struct qemu_edu_range {
	__u64 offset;
	__u64 length;
	__u32 crc;
	__u32 pad;
};

/**
 * struct qemu_edu_checksum - let the device read the window
 * @ranges: in: user pointer to an array of struct qemu_edu_range
 * @nr_ranges: in: entries of @ranges; out: DMA ranges in the window
 * @flags: in: zero
 * @bytes: out: bytes the device read
 * @crc: out: crc32_le of the whole window (seed ~0, not inverted)
 * @pad: in: zero
 *
 * The device copies every DMA range of the window into its internal
 * buffer, at most 4095 bytes at a time, and each piece is read back from
 * the device: the checksums are of the bytes that went through the
 * device.  Each transfer takes about 100 ms, so windows should be small.
 * A mapping invalidated by the exporter is mapped again first.  Errors:
 * -ENOSPC if @nr_ranges is too small (it is set to the number needed,
 * nothing is transferred), -E2BIG for more than 65536 ranges, -EACCES if
 * the attachment's direction does not let the device read, -ENOENT
 * without an attachment, -EINTR on a signal, -ENODEV for a revoked
 * buffer, or a transfer error.
 */
struct qemu_edu_checksum {
	__u64 ranges;
	__u32 nr_ranges;
	__u32 flags;
	__u64 bytes;
	__u32 crc;
	__u32 pad;
};

/**
 * struct qemu_edu_write - let the device write a pattern into the window
 * @seed: in: pattern seed, 0 to 255; byte i of the window gets
 *	(__u8)(i * 7 + (i >> 8) + @seed)
 * @flags: in: zero
 * @bytes: out: bytes the device wrote
 *
 * Errors as for QEMU_EDU_IOC_CHECKSUM; -EACCES if the attachment's
 * direction does not let the device write.
 */
struct qemu_edu_write {
	__u32 seed;
	__u32 flags;
	__u64 bytes;
};

/**
 * struct qemu_edu_page_checksum - read bytes through an sg_table's pages
 * @offset: in: start of the bytes in the buffer (not limited to the
 *	attachment's window: the whole buffer is mapped)
 * @length: in: number of bytes, not zero
 * @flags: in: zero
 * @crc: out: crc32_le of the bytes (seed ~0, not inverted)
 * @pages: out: pages of the table that hold some of the bytes
 * @orig_nents: out: CPU (page) entries of the table
 * @nents: out: DMA entries of the table
 * @pad: in: zero
 *
 * Checks the CPU side of a QEMU_EDU_API_SGT attachment, the one legacy
 * importers walk with for_each_sgtable_page(): under the reservation lock
 * the driver walks the table's page entries, maps each page that holds
 * some of [@offset, @offset + @length) and computes the checksum of the
 * bytes as the CPU reads them there.  The device moves nothing and no
 * cache maintenance is done: the bytes are those the CPU last wrote to
 * the pages, so the attachment should let the device only read.  A
 * mapping invalidated by the exporter is mapped again first.
 *
 * Errors: -ENOENT without an attachment, -EINVAL for a
 * QEMU_EDU_API_LIST attachment, a zero @length or a range past the end
 * of the buffer, -EOVERFLOW if @offset + @length overflows, -ENXIO if the
 * table has no CPU side (no page entries: memory without struct page or
 * peer-to-peer memory, mapped for the device only), -EIO if its page
 * entries do not describe the whole buffer (an entry without a page, or
 * lengths that do not add up to the buffer's size; the kernel log says
 * which), -EINTR on a signal, -ENODEV for a revoked buffer.
 */
struct qemu_edu_page_checksum {
	__u64 offset;
	__u64 length;
	__u32 flags;
	__u32 crc;
	__u32 pages;
	__u32 orig_nents;
	__u32 nents;
	__u32 pad;
};

#define QEMU_EDU_IOC_MAGIC	0xED
#define QEMU_EDU_IOC_ATTACH	_IOWR(QEMU_EDU_IOC_MAGIC, 0x00, struct qemu_edu_attach)
#define QEMU_EDU_IOC_CHECKSUM	_IOWR(QEMU_EDU_IOC_MAGIC, 0x01, struct qemu_edu_checksum)
#define QEMU_EDU_IOC_WRITE	_IOWR(QEMU_EDU_IOC_MAGIC, 0x02, struct qemu_edu_write)
#define QEMU_EDU_IOC_DETACH	_IO(QEMU_EDU_IOC_MAGIC, 0x03)
#define QEMU_EDU_IOC_PAGE_CHECKSUM \
	_IOWR(QEMU_EDU_IOC_MAGIC, 0x04, struct qemu_edu_page_checksum)

#endif /* _UAPI_MISC_QEMU_EDU_H */
