/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The edu V4L2 mem2mem devices (qemu_eduN-m2m-ALLOC, ALLOC the videobuf2
 * allocator, dma-sg or dma-contig) as the tests drive them: an OUTPUT
 * frame is read by DMA into the edu and written out by DMA into a
 * CAPTURE buffer, so that what arrives shows what the device reached.
 * One buffer per queue, single-plane frames of the OUTPUT format.
 */
#ifndef WB_M2M_H
#define WB_M2M_H

/* IGT's first: its scaffolding of kernel macros refuses to come second */
#include "devices.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A frame of the default format takes 0.8 s of edu transfers */
#define M2M_FRAME_TIMEOUT_MS	20000

struct m2m {
	int fd;
	char name[64];		/* qemu_eduN-m2m-ALLOC */
	char pci[32];		/* its edu, for debugfs */
	uint32_t size;		/* sizeimage of the current format */
};

/* A buffer of one queue: its CPU view and, if imported, its dma-buf */
struct m2m_frame {
	uint32_t memory;
	int dmabuf;		/* -1 for MMAP */
	uint8_t *map;
	size_t len;
	int memfd;		/* a udmabuf's memfd, else -1 */
	uint8_t *memmap;	/* its mapping, where the pages are every other page */
};

/* The sysfs name of the edu video device with allocator @alloc, or false */
bool m2m_find(const char *alloc, char *name, size_t len);
/* Open the edu video device with allocator @alloc (a skip if none) */
void m2m_open(struct m2m *m, const char *alloc);
/*
 * Open the edu video device on another root port than @provider_rp (a
 * skip if none), so that its DMA reaches a P2P provider there on every
 * topology
 */
void m2m_open_beside(struct m2m *m, const char *provider_rp);
/* A number in the edu's debugfs directory */
unsigned long m2m_debugfs(struct m2m *m, const char *name);
/* Frames the device copied since boot (debugfs v4l2_frames) */
unsigned long m2m_frames(struct m2m *m);
/* Read dma-sg planes through vb2_dma_sg_plane_desc() (or the DMA list) */
void m2m_set_plane_desc(struct m2m *m, bool on);
/* Frames of @width x @height of the current pixel format from now on */
void m2m_set_size(struct m2m *m, uint32_t width, uint32_t height);

/* REQBUFS; asserts that exactly @count buffers were granted */
void m2m_reqbufs(struct m2m *m, uint32_t type, uint32_t memory,
		 uint32_t count);
/* QBUF buffer @index (an OUTPUT one of a whole frame); 0 or the errno */
int m2m_qbuf_at(struct m2m *m, uint32_t type, struct m2m_frame *fr,
		unsigned int index);
/* QBUF buffer 0; 0 or the errno */
int m2m_qbuf(struct m2m *m, uint32_t type, struct m2m_frame *fr);
/* Wait (M2M_FRAME_TIMEOUT_MS at most) for a done buffer and DQBUF it */
void m2m_dqbuf(struct m2m *m, uint32_t type, uint32_t memory,
	       struct v4l2_buffer *b);
/* VIDIOC_STREAMON or VIDIOC_STREAMOFF (@req) of queue @type */
void m2m_stream(struct m2m *m, unsigned long req, uint32_t type);

/* The bytes of frame @seed at offset @i: no two pages alike */
uint8_t m2m_pattern(size_t i, unsigned int seed);
/*
 * Write @len bytes of @fr: @byte, or frame @seed's pattern if @byte is
 * negative.  Dma-bufs are bracketed with DMA_BUF_IOCTL_SYNC where the
 * device's view is a copy (swiotlb=force).
 */
void m2m_fill(struct m2m_frame *fr, size_t len, int byte, unsigned int seed);
/* Assert that @fr holds frame @seed's first @len bytes */
void m2m_check(const char *what, struct m2m_frame *fr, size_t len,
	       unsigned int seed);
/* Map MMAP buffer 0 of queue @type into @fr */
void m2m_mmap_frame(struct m2m *m, uint32_t type, struct m2m_frame *fr);
/* Unmap and close what @fr holds */
void m2m_frame_free(struct m2m_frame *fr);

/*
 * Run frames 1 and 2 from @in (OUTPUT buffer 0) to @out (CAPTURE buffer
 * 0), streaming from the first and stopping after the second; asserts
 * the bytes and that the device counted exactly those two frames.
 */
void m2m_run_frames(struct m2m *m, struct m2m_frame *in,
		    struct m2m_frame *out, const char *what);
/*
 * The route the dma-buf core took for P2P buffer @fr, queued (so mapped)
 * on @m's OUTPUT queue and attached to no other file of @m's edu;
 * returns whether the edu's DMA can follow it.
 */
bool m2m_p2p_route_runs(struct m2m *m, struct m2m_frame *fr);

#endif /* WB_M2M_H */
