/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small IGT-style harness: one binary per area, subtests listed with
 * --list-subtests and run one at a time with --run-subtest NAME (a glob).
 * Output follows IGT ("Starting subtest: X", "Subtest X: SUCCESS (t)"),
 * which the workbench parses.  Exit status: 0 all passed, 77 all skipped,
 * 1 otherwise.
 */
#ifndef IGT_LITE_H
#define IGT_LITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct igt_subtest {
	const char *name;
	const char *what;		/* one line: what it proves */
	void (*run)(void);
};

int igt_main(int argc, char **argv, const struct igt_subtest *tests,
	     size_t count);

/* Leave the running subtest: it failed, or it cannot run here. */
void igt_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void igt_skip(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#define igt_assert(cond) \
	do { if (!(cond)) igt_fail_at(__FILE__, __LINE__, "%s", #cond); } while (0)
#define igt_assert_f(cond, ...) \
	do { if (!(cond)) igt_fail_at(__FILE__, __LINE__, __VA_ARGS__); } while (0)
/* A call that returns -1 and sets errno on failure. */
#define igt_assert_sys(expr) \
	do { if ((expr) < 0) igt_fail_at(__FILE__, __LINE__, "%s: %m", #expr); } while (0)

#define igt_info(...) printf(__VA_ARGS__)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
