// SPDX-License-Identifier: GPL-2.0
/*
 * netfence: -n NAME / --netns PATH. The socket is opened after setns(),
 * so the kernel acts on that namespace (as "ip -n" does).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netfence.h"

#define NETNS_RUN_DIR "/run/netns"

int netns_enter(void)
{
	char path[PATH_MAX];
	const char *p = g_opts.netns_path;
	int fd, err;

	if (g_opts.netns_name) {
		if (snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR,
			     g_opts.netns_name) >= (int)sizeof(path)) {
			fprintf(stderr, "netfence: netns name too long\n");
			return EXIT_USAGE;
		}
		p = path;
	}
	if (!p)
		return EXIT_OK;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		fprintf(stderr, "netfence: cannot open network namespace %s: %s\n",
			p, strerror(err));
		return err == EACCES || err == EPERM ? EXIT_PERM : EXIT_FAIL;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = errno;
		close(fd);
		if (err == EPERM || err == EACCES) {
			fprintf(stderr, "netfence: permission denied: cannot enter network namespace %s\n",
				p);
			return EXIT_PERM;
		}
		fprintf(stderr, "netfence: cannot enter network namespace %s: %s\n",
			p, strerror(err));
		return EXIT_FAIL;
	}
	close(fd);
	return EXIT_OK;
}
