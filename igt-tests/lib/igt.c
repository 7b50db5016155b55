// SPDX-License-Identifier: GPL-2.0
/* The harness behind igt.h. */
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"

enum outcome { IGT_PASS, IGT_FAIL, IGT_SKIP, IGT_CRASH };

#define IGT_SUBTEST_TIMEOUT_S 120

static jmp_buf igt_leave;

void igt_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "(%s:%d) FAIL: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	longjmp(igt_leave, IGT_FAIL);
}

void igt_skip(const char *fmt, ...)
{
	/* Where the devices are known to exist, a skip is a failure. */
	bool strict = getenv("IGT_SKIP_IS_FAIL");
	va_list ap;

	fputs(strict ? "FAIL (IGT_SKIP_IS_FAIL): " : "SKIP: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	longjmp(igt_leave, strict ? IGT_FAIL : IGT_SKIP);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Each subtest runs in a child process: whatever a failing subtest left
 * open (a streaming V4L2 queue, a dma-buf) is released when it exits, so
 * the next subtest starts clean, and a crash is reported, not inherited.
 */
static enum outcome run_one(const struct igt_subtest *t)
{
	static const char * const word[] = { "SUCCESS", "FAIL", "SKIP", "CRASH" };
	double start = now();
	int r, status;
	pid_t pid;

	printf("Starting subtest: %s\n", t->name);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		r = IGT_FAIL;
	} else if (pid == 0) {
		/* A subtest that hangs is killed and reported, not waited on. */
		alarm(IGT_SUBTEST_TIMEOUT_S);
		r = setjmp(igt_leave);
		if (r == 0) {
			t->run();
			r = IGT_PASS;
		}
		fflush(stdout);
		_exit(r);
	} else if (waitpid(pid, &status, 0) < 0) {
		r = IGT_FAIL;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) <= IGT_SKIP) {
		r = WEXITSTATUS(status);
	} else {
		if (WIFSIGNALED(status))
			printf("subtest killed by signal %d\n", WTERMSIG(status));
		r = IGT_CRASH;
	}
	printf("Subtest %s: %s (%.3fs)\n", t->name, word[r], now() - start);
	fflush(stdout);
	return r;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--list-subtests] [--run-subtest GLOB]\n",
		prog);
}

int igt_main(int argc, char **argv, const struct igt_subtest *tests,
	     size_t count)
{
	const char *glob = NULL;
	size_t i, ran = 0, failed = 0, skipped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--run-subtest") && i + 1 < (size_t)argc) {
			glob = argv[++i];
			continue;
		}
		if (!strcmp(argv[i], "--list-subtests")) {
			for (size_t j = 0; j < count; j++)
				printf("%s\n", tests[j].name);
			return 0;
		}
		usage(argv[0]);
		if (strcmp(argv[i], "--help"))
			return 2;
		for (size_t j = 0; j < count; j++)
			printf("  %-32s %s\n", tests[j].name, tests[j].what);
		return 0;
	}
	for (i = 0; i < count; i++) {
		if (glob && fnmatch(glob, tests[i].name, 0))
			continue;
		ran++;
		switch (run_one(&tests[i])) {
		case IGT_FAIL:
		case IGT_CRASH:
			failed++;
			break;
		case IGT_SKIP:
			skipped++;
			break;
		default:
			break;
		}
	}
	if (glob && !ran) {
		fprintf(stderr, "no subtest matches '%s'\n", glob);
		return 2;
	}
	if (failed)
		return 1;
	return ran && skipped == ran ? 77 : 0;
}
