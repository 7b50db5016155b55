/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Buffers from the exporters the zero-copy tests share: udmabuf, the
 * dma-buf heaps, the ivshmem BAR and vgem, each as a dma-buf fd with the
 * exporter's own CPU mapping of the whole buffer.
 */
#ifndef WB_EXPORTERS_H
#define WB_EXPORTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wb_buf {
	int fd;			/* the dma-buf */
	uint8_t *map;		/* CPU view of the whole buffer */
	size_t size;
	int memfd;		/* udmabuf: its memfd, else -1 */
	bool p2p;		/* P2P memory (the NVMe CMB, the ivshmem BAR) */
	const char *what;
};

/* DMA_BUF_IOCTL_SYNC with @flags (DMA_BUF_SYNC_START | ..._READ, ...) */
void wb_buf_sync(const struct wb_buf *b, uint64_t flags);
/* Map the whole dma-buf into b->map */
void wb_buf_map(struct wb_buf *b);
/* A udmabuf of a memfd's pages, 2 MiB hugetlb folios if @huge */
void wb_udmabuf_alloc(struct wb_buf *b, size_t size, bool huge);
/* A buffer from the dma-buf heap node @heap */
void wb_heap_alloc(struct wb_buf *b, const char *heap, size_t size);
/* The first node matching @pattern (a glob), or NULL */
const char *wb_heap_node(const char *pattern);
/* [@off, @off + @len) of the ivshmem BAR (P2P memory without pages) */
void wb_shm_export(struct wb_buf *b, uint64_t off, uint64_t len);
/* A vgem object of @size (a multiple of 4 KiB) exported by PRIME */
void wb_vgem_alloc(struct wb_buf *b, size_t size);
/*
 * A vkms dumb buffer (a framebuffer's memory, 1024 pixels of XRGB8888 a
 * row) of @size (a multiple of 4 KiB) exported by PRIME
 */
void wb_vkms_dumb_alloc(struct wb_buf *b, size_t size);
/* Unmap and close everything wb_*_alloc() made */
void wb_buf_free(struct wb_buf *b);

#endif /* WB_EXPORTERS_H */
