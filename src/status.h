/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The --status file: opened before anything is loaded, as a root process
 * may open a file another user named, and written with plain write()s,
 * which the sandbox allows whatever the file is (a terminal, a device).
 */
#ifndef STATUS_H
#define STATUS_H

#include <stdbool.h>
#include <stddef.h>

struct status {
	int fd;			/* -1: no --status */
	const char *path;
	int err;		/* errno of a failed write; 0 */
};

/*
 * Opens path for writing, emptied if it is a regular file. Refuses, as the
 * kernel's fs.protected_symlinks and protected_regular do, a symbolic link
 * or an existing file in a world-writable sticky directory (/tmp) that
 * belongs to neither socktrace's user nor the directory's owner: another
 * user could have planted it there to have root truncate what it names.
 * 0, or -1 with one line in err.
 */
int status_open(struct status *s, const char *path, char *err, size_t errlen);
/* Writes one record whole: false (and s->err) on a write error. */
bool status_write(struct status *s, const char *data, size_t len);
void status_close(struct status *s);

#endif
