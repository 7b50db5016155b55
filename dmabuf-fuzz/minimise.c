// SPDX-License-Identifier: GPL-2.0
/*
 * Replaying and minimising a failing sequence.
 *
 * A sequence is a list of ops "generator@seed"; replayed single-threaded
 * in a fresh process it makes the same calls with the same arguments
 * (slots.c keeps fd numbers stable).  The minimiser first looks for the
 * shortest suffix of the failing thread's ops that still fails the same
 * way (same call, same errno), then removes chunks of ops, halving the
 * chunk size down to single ops, keeping every removal after which the
 * failure persists.  It stops at its time budget and prints the best
 * sequence found.  A failure that needs another thread's ops to happen
 * concurrently may not reproduce single-threaded: that is said.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int parse_replay(const char *s, struct op **ops)
{
	char *copy = strdup(s), *tok, *save;
	int n = 0, cap = 16, i;

	*ops = malloc(sizeof(**ops) * cap);
	for (tok = strtok_r(copy, ", \n", &save); tok;
	     tok = strtok_r(NULL, ", \n", &save)) {
		char *at = strchr(tok, '@');

		if (!at) {
			fprintf(stderr, "--replay: '%s' is not gen@seed\n", tok);
			return -1;
		}
		*at = 0;
		for (i = 0; i < nr_gens; i++)
			if (!strcmp(gens[i]->name, tok))
				break;
		if (i == nr_gens) {
			fprintf(stderr, "--replay: no generator '%s' here\n", tok);
			return -1;
		}
		if (n == cap)
			*ops = realloc(*ops, sizeof(**ops) * (cap *= 2));
		(*ops)[n].call = i;
		(*ops)[n].seed = strtoull(at + 1, NULL, 16);
		(*ops)[n].gseq = n;
		n++;
	}
	free(copy);
	return n;
}

void print_ops(const char *prefix, const struct op *ops, int n)
{
	char line[160];
	int i, len = 0;

	for (i = 0; i < n; i++) {
		len += snprintf(line + len, sizeof(line) - len, "%s%s@%llx",
				len ? "," : "", gens[ops[i].call]->name,
				(unsigned long long)ops[i].seed);
		if (len > 100 || i == n - 1) {
			say("%s%s%s\n", prefix, line, i == n - 1 ? "" : ",\\");
			len = 0;
		}
	}
}

int minimise(const struct failure *f, struct op *ops, int n)
{
	static const int suffixes[] = { 1, 4, 16, 64, 256, 1024, 4096, 16384, 65536 };
	double t_end = mono() + opt.minimise_seconds;
	struct op *best = NULL, *trial;
	int nbest = 0, chunk, i;
	bool verbose;
	size_t s;

	for (s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]); s++) {
		int k = suffixes[s] < n ? suffixes[s] : n;

		if (mono() > t_end)
			break;
		if (replay_ops(ops + n - k, k, true, f->call, f->err)) {
			best = malloc(sizeof(*best) * k);
			memcpy(best, ops + n - k, sizeof(*best) * k);
			nbest = k;
			break;
		}
		if (k == n)
			break;
	}
	if (!best)
		return 0;
	trial = malloc(sizeof(*trial) * nbest);
	for (chunk = nbest / 2; chunk >= 1; chunk /= 2) {
		for (i = 0; i + chunk <= nbest - 1 && mono() < t_end; ) {
			/* never drop the last op: it is the failing call */
			int m = 0, j;

			for (j = 0; j < nbest; j++)
				if (j < i || j >= i + chunk)
					trial[m++] = best[j];
			if (replay_ops(trial, m, true, f->call, f->err)) {
				memcpy(best, trial, sizeof(*best) * m);
				nbest = m;
			} else {
				i += chunk;
			}
		}
	}
	say("# shortest sequence found: %d ops (seed 0x%llx, from thread %d); "
	    "replay with:\n", nbest, (unsigned long long)opt.seed, f->thread);
	{
		char known[128] = "";
		int f, len = 0;

		for (f = 0; f < NR_FINDINGS; f++)
			if (opt.finding_excluded[f])
				len += snprintf(known + len, sizeof(known) - len, "%s%s",
						len ? "," : " --exclude-finding ",
						finding_names[f]);
		say("#   dmabuf-fuzz --seed 0x%llx --edu-dma %d%s --replay \\\n",
		    (unsigned long long)opt.seed, opt.edu_dma_max, known);
	}
	print_ops("#     ", best, nbest);
	say("# the sequence, replayed:\n");
	verbose = opt.verbose;
	opt.verbose = true;
	replay_ops(best, nbest, false, f->call, f->err);
	opt.verbose = verbose;
	free(trial);
	free(best);
	return 1;
}
