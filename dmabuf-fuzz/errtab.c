// SPDX-License-Identifier: GPL-2.0
/*
 * The errno each call may return, drawn from the uapi headers' and the
 * kernel-doc's documentation and from the handlers in the 6.12 tree with
 * the series applied (paths below).  Success (0) is allowed unless the
 * generator knew its arguments to be invalid (fctx.narrow).
 *
 * Errors every call can see and that are listed everywhere they apply:
 * EFAULT (a bad argument pointer, generated on purpose), ENOMEM (the
 * kernel allocates), EMFILE (a call that makes an fd; our fd table is
 * bounded).  EINTR is not listed: nothing signals the fuzzer.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

struct eset eset_of(const int *list)
{
	struct eset s = { 0 };

	for (; *list >= 0; list++)
		eset_add(&s, *list);
	return s;
}

struct errtab_entry {
	enum fuzz_call call;
	const int *errs;	/* ends with -1 */
	const char *source;	/* where the set comes from */
};

#define E(c, src, ...) { C_##c, (const int[]){ __VA_ARGS__, -1 }, src }

static const struct errtab_entry errtab[] = {
	/*
	 * dma_buf_ioctl() (drivers/dma-buf/dma-buf.c): EFAULT, EINVAL for
	 * flags outside DMA_BUF_SYNC_VALID_FLAGS_MASK or no direction; then
	 * the exporter's {begin,end}_cpu_access: udmabuf's end_cpu_udmabuf()
	 * refuses END before any START (EINVAL), begin may map (ENOMEM);
	 * dma_resv_wait_timeout() is interruptible (not used here).
	 */
	E(DMABUF_SYNC, "dma-buf.h, dma_buf_ioctl, udmabuf.c",
	  EFAULT, EINVAL, ENOMEM),
	/* dma_buf_set_name(): strndup_user(buf, DMA_BUF_NAME_LEN) */
	E(DMABUF_SET_NAME, "dma_buf_set_name, strndup_user",
	  EFAULT, EINVAL, ENOMEM),
	/* dma_buf_export_sync_file(): flags must be a non-empty subset of RW */
	E(DMABUF_EXPORT_SYNC, "dma_buf_export_sync_file",
	  EFAULT, EINVAL, ENOMEM, EMFILE),
	/* dma_buf_import_sync_file(): a bad fd or not a sync_file: EINVAL */
	E(DMABUF_IMPORT_SYNC, "dma_buf_import_sync_file",
	  EFAULT, EINVAL, ENOMEM),
	/* dma_buf_ioctl(): default case */
	E(DMABUF_BAD_IOCTL, "dma_buf_ioctl", ENOTTY),
	/*
	 * do_mmap() (EACCES: fd without the access the protection needs,
	 * EINVAL: length 0 or flags, ENOMEM, EOVERFLOW: offset + length
	 * wraps); dma_buf_mmap_internal(): EINVAL past the end, ENODEV for a
	 * revoked buffer; exporters' mmap: EINVAL without MAP_SHARED (cma,
	 * udmabuf, vgem/shmem, the revocable helper), remap_pfn_range() of a
	 * private mapping (system heap) EINVAL.  EBADF for a bad fd.
	 */
	E(DMABUF_MMAP, "mmap(2), dma_buf_mmap_internal, exporters' mmap",
	  EBADF, EACCES, EINVAL, ENOMEM, ENODEV, EOVERFLOW),
	E(DMABUF_MUNMAP, "munmap(2)", EINVAL),
	/* not a system call: SIGBUS is allowed on revocable buffers only */
	E(DMABUF_TOUCH, "dma_buf_mmap_revocable: SIGBUS once revoked", R_SIGBUS),
	/* dma_buf_fops has no read: vfs_read() EINVAL; EBADF without FMODE_READ */
	E(DMABUF_READ, "vfs_read, dma_buf_fops", EINVAL, EBADF, EFAULT),
	/* dma_buf_llseek(): only SEEK_END/SEEK_SET with offset 0 */
	E(DMABUF_LSEEK, "dma_buf_llseek", EINVAL, EBADF),
	E(DMABUF_POLL, "poll(2), dma_buf_poll", EINVAL, EFAULT, ENOMEM),
	E(FD_CLOSE, "close(2)", EBADF),
	E(FD_DUP, "fcntl(F_DUPFD)", EBADF, EMFILE, EINVAL),
	/* memfd_create(2), ftruncate(2), fcntl(F_ADD_SEALS) */
	E(MEMFD_CREATE, "memfd_create(2)", EINVAL, ENOMEM, EMFILE, ENOSPC),
	/*
	 * udmabuf_create() (drivers/dma-buf/udmabuf.c): EINVAL for unaligned
	 * offset or size, no pages, more than size_limit_mb, missing
	 * F_SEAL_SHRINK or present F_SEAL_WRITE, a range past the memfd's end
	 * (memfd_pin_folios); EBADFD for an fd that is not a shmem or
	 * hugetlbfs file; ENOMEM, EMFILE.  memfd_pin_folios() of an unbacked
	 * hugetlb index allocates a folio (ENOMEM, ENOSPC when the pool is
	 * empty).
	 */
	E(UDMABUF_CREATE, "udmabuf_ioctl_create, udmabuf_create, memfd_pin_folios",
	  EFAULT, EINVAL, EBADFD, ENOMEM, EMFILE, ENOSPC),
	/* ... and count > list_limit: EINVAL */
	E(UDMABUF_CREATE_LIST, "udmabuf_ioctl_create_list",
	  EFAULT, EINVAL, EBADFD, ENOMEM, EMFILE, ENOSPC),
	/*
	 * dma_heap_ioctl(), dma_heap_ioctl_allocate() (dma-heap.c): EINVAL
	 * for a non-zero fd, unknown fd_flags or heap_flags, a length that
	 * page-aligns to 0; heaps: ENOMEM, EINTR (fatal signal only);
	 * p2pmem-heap: ENODEV once its provider is gone.
	 */
	E(HEAP_ALLOC, "dma-heap.h, dma_heap_ioctl_allocate, heaps",
	  EFAULT, EINVAL, ENOMEM, EMFILE, ENODEV),
	E(SYNC_FILE_NEW, "sw_sync.c (debugfs)", ENOMEM, EMFILE, EFAULT),
	/* edu_open(): ENODEV after unbind; misc_open(): ENODEV */
	E(EDU_OPEN, "edu_open", ENODEV, ENOMEM, EMFILE),
	/*
	 * include/uapi/misc/qemu_edu.h, struct qemu_edu_attach: EBADF,
	 * EINVAL, EOVERFLOW, EBUSY, EREMOTEIO, ENODEV, "or what the exporter
	 * returned": dma_buf_dynamic_attach() and the exporters' map (ENOMEM;
	 * EINVAL), EFAULT.
	 */
	E(EDU_ATTACH, "qemu_edu.h, edu_ioc_attach",
	  EFAULT, EBADF, EINVAL, EOVERFLOW, EBUSY, EREMOTEIO, ENODEV, ENOMEM),
	/* struct qemu_edu_checksum */
	E(EDU_CHECKSUM, "qemu_edu.h, edu_ioc_checksum",
	  EFAULT, EINVAL, ENOSPC, E2BIG, EACCES, ENOENT, ENODEV, EREMOTEIO,
	  ENOMEM),
	/* struct qemu_edu_write: "as for CHECKSUM" */
	E(EDU_WRITE, "qemu_edu.h, edu_ioc_write",
	  EFAULT, EINVAL, EACCES, ENOENT, ENODEV, EREMOTEIO, ENOMEM),
	/* struct qemu_edu_page_checksum */
	E(EDU_PAGE_CHECKSUM, "qemu_edu.h, edu_ioc_page_checksum",
	  EFAULT, EINVAL, EOVERFLOW, ENOENT, ENXIO, EIO, ENODEV, EREMOTEIO,
	  ENOMEM),
	/* edu_ioctl(): DETACH without an attachment */
	E(EDU_DETACH, "edu_ioctl", ENOENT, ENODEV),
	E(EDU_BAD_IOCTL, "edu_ioctl", ENOTTY, ENODEV),
	/* include/uapi/misc/qemu_edu_shm.h */
	E(SHM_INFO, "qemu_edu_shm.h, shm_ioc_info", EFAULT, ENODEV),
	E(SHM_EXPORT, "qemu_edu_shm.h, shm_ioc_export",
	  EFAULT, EINVAL, EOVERFLOW, ENOMEM, EMFILE, ENODEV),
	E(V4L2_OPEN, "v4l2_open", ENODEV, ENOMEM, EMFILE, EBUSY),
	/*
	 * Documentation/userspace-api/media/v4l/vidioc-reqbufs.rst: EINVAL
	 * (type or memory unsupported); vb2_core_reqbufs(): EBUSY (queue
	 * streaming, buffers in use or owned by another file), ENOMEM; the
	 * generic errors (gen-errors.rst) EFAULT, ENOTTY.
	 */
	E(V4L2_REQBUFS, "vidioc-reqbufs.rst, vb2_core_reqbufs",
	  EFAULT, EINVAL, EBUSY, ENOMEM),
	/* vidioc-create-bufs.rst; vb2_core_create_bufs(): ENOBUFS at the max */
	E(V4L2_CREATE_BUFS, "vidioc-create-bufs.rst, vb2_core_create_bufs",
	  EFAULT, EINVAL, EBUSY, ENOMEM, ENOBUFS),
	E(V4L2_QUERYBUF, "vidioc-querybuf.rst", EFAULT, EINVAL),
	/*
	 * vidioc-qbuf.rst: EAGAIN, EINVAL, EIO, EPIPE, EBADR (requests), EBUSY
	 * (requests mixed with direct queueing); vb2: EBUSY (another
	 * owner), ENOMEM; DMABUF import (__prepare_dmabuf): EINVAL (bad fd,
	 * too small), what the allocator's attach_dmabuf and map_dmabuf return:
	 * vb2-dma-contig EFAULT (not contiguous), dma_buf_attach() EOPNOTSUPP
	 * (revocable buffer, static importer), the core's mapping EREMOTEIO
	 * (P2P the importer cannot reach), ENODEV (revoked), EIO (the DMA API
	 * could not map: swiotlb full under swiotlb=force).
	 */
	E(V4L2_QBUF, "vidioc-qbuf.rst, __prepare_dmabuf, vb2-dma-{sg,contig}",
	  EFAULT, EINVAL, EBUSY, EBADR, ENOMEM, EIO, EOPNOTSUPP, EREMOTEIO,
	  ENODEV),
	E(V4L2_DQBUF, "vidioc-qbuf.rst", EFAULT, EINVAL, EAGAIN, EIO, EPIPE,
	  EBUSY),
	/* vidioc-expbuf.rst; vb2_core_expbuf(): EINVAL, EBUSY, fd errors */
	E(V4L2_EXPBUF, "vidioc-expbuf.rst, vb2_core_expbuf",
	  EFAULT, EINVAL, EBUSY, EMFILE, ENOMEM),
	/* vidioc-streamon.rst: EINVAL, EPIPE, ENOLINK; vb2 EBUSY, ENOMEM */
	E(V4L2_STREAMON, "vidioc-streamon.rst, vb2_core_streamon",
	  EFAULT, EINVAL, EPIPE, ENOLINK, EBUSY, ENOMEM, EIO),
	E(V4L2_STREAMOFF, "vidioc-streamon.rst, vb2_core_streamoff",
	  EFAULT, EINVAL, EBUSY),
	E(DRM_OPEN, "drm_open", ENODEV, ENOMEM, EMFILE, EBUSY),
	/* drm_mode_create_dumb() (drm_dumb_buffers.c), shmem: ENOMEM */
	E(DRM_CREATE_DUMB, "drm_mode_create_dumb, drm_gem_shmem_dumb_create",
	  EFAULT, EINVAL, ENOMEM),
	/*
	 * drm_prime_handle_to_fd_ioctl(): EINVAL for flags outside
	 * DRM_CLOEXEC | DRM_RDWR; drm_gem_prime_handle_to_fd(): ENOENT for
	 * an unknown handle, fd errors.
	 */
	E(DRM_HANDLE_TO_FD, "drm_prime.c", EFAULT, EINVAL, ENOENT, EMFILE,
	  ENOMEM),
	/*
	 * drm_gem_prime_fd_to_handle(): dma_buf_get() EBADF / EINVAL;
	 * drm_gem_prime_import_dev(): dma_buf_attach() EOPNOTSUPP for a
	 * revocable buffer, the mapping's errors (EREMOTEIO for P2P memory,
	 * EIO when the DMA API cannot map, ENOMEM), ENODEV revoked.
	 */
	E(DRM_FD_TO_HANDLE, "drm_prime.c, dma-buf.c",
	  EFAULT, EBADF, EINVAL, ENOMEM, EOPNOTSUPP, EREMOTEIO, EIO, ENODEV),
	/* drm_gem_close_ioctl(): EINVAL for pad or an unknown handle */
	E(DRM_GEM_CLOSE, "drm_gem_close_ioctl", EFAULT, EINVAL),
	/*
	 * An ioctl of one device on an fd of another kind: every handler we
	 * aim it at (dma-buf, sync_file, pipe, memfd, udmabuf, edu, edu_shm,
	 * V4L2's video_ioctl2, drm_ioctl's type check) answers ENOTTY to a
	 * command it does not know.  (dma-heap fds are never the target:
	 * dma_heap_ioctl() looks at the command's number only; see README.)
	 */
	E(WRONG_KIND_IOCTL, "every handler's default case", ENOTTY),
	/*
	 * mmap of a pipe, sync_file, udmabuf, edu or edu_shm fd: do_mmap()
	 * EACCES without read access, ENODEV without an mmap method.
	 */
	E(WRONG_KIND_MMAP, "do_mmap", ENODEV, EACCES),
	/* fdget() fails first: ioctl(2), mmap(2), read(2), close(2) */
	E(BAD_FD, "ioctl(2), mmap(2)", EBADF),
	/* the worker died of a signal during an op: never allowed */
	E(CRASH, "-", 0),
};

static struct eset allowed[NR_CALLS];

void errtab_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errtab); i++)
		allowed[errtab[i].call] = eset_of(errtab[i].errs);
	for (i = 0; i < NR_CALLS; i++)
		eset_add(&allowed[i], 0);
}

const struct eset *errtab_allowed(enum fuzz_call call)
{
	return &allowed[call];
}

#define N(e) [e] = #e
static const char *const names[NR_ERRNO] = {
	[0] = "OK",
	N(EPERM), N(ENOENT), N(ESRCH), N(EINTR), N(EIO), N(ENXIO), N(E2BIG),
	N(ENOEXEC), N(EBADF), N(ECHILD), N(EAGAIN), N(ENOMEM), N(EACCES),
	N(EFAULT), N(EBUSY), N(EEXIST), N(EXDEV), N(ENODEV), N(ENOTDIR),
	N(EISDIR), N(EINVAL), N(ENFILE), N(EMFILE), N(ENOTTY), N(EFBIG),
	N(ENOSPC), N(ESPIPE), N(EROFS), N(EPIPE), N(ERANGE), N(ENOSYS),
	N(ENOLINK), N(EBADFD), N(EBADR), N(EOVERFLOW), N(ENOBUFS), N(EOPNOTSUPP),
	N(ETIMEDOUT), N(EREMOTEIO), N(ECANCELED), N(EHWPOISON),
	[R_BADVAL] = "WRONG-VALUE", [R_SIGBUS] = "SIGBUS", [R_SIGSEGV] = "CRASH",
};

const char *err_name(int e)
{
	static __thread char buf[16];

	if (e >= 0 && e < NR_ERRNO && names[e])
		return names[e];
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

int err_parse(const char *s)
{
	int e;

	for (e = 0; e < NR_ERRNO; e++)
		if (names[e] && !strcmp(names[e], s))
			return e;
	return -1;
}
