// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "status.h"

/* The directory that holds path, and whether it is world-writable and
 * sticky (as /tmp): there, what another user made is not to be trusted. */
static bool in_shared_dir(const char *path, struct stat *dir)
{
	char copy[PATH_MAX];

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy) || stat(dirname(copy), dir))
		return false;
	return (dir->st_mode & S_ISVTX) && (dir->st_mode & S_IWOTH);
}

/* Whether st (a link, or a file there) belongs to someone who may have
 * planted it: neither this user nor the directory's owner. */
static bool foreign(const struct stat *st, const struct stat *dir)
{
	return st->st_uid != geteuid() && st->st_uid != dir->st_uid;
}

int status_open(struct status *s, const char *path, char *err, size_t errlen)
{
	struct stat dir, st;
	bool shared = in_shared_dir(path, &dir), link = false;
	int fd = -1;

	s->fd = -1;
	s->path = path;
	s->err = 0;
	/* Open what is there without following a link or creating anything;
	 * create only what is not there; between the two, another process
	 * may make it: try again. */
	for (int tries = 0; tries < 3 && fd < 0; tries++) {
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 && errno == ELOOP) {
			link = true;
			if (shared && !lstat(path, &st) && foreign(&st, &dir)) {
				snprintf(err, errlen, "--status %s: a symbolic link another user made in a "
					 "world-writable sticky directory: not followed (as fs.protected_symlinks "
					 "would refuse it)", path);
				return -1;
			}
			fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		}
		if (fd < 0 && errno == ENOENT && !link)
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0 && errno != EEXIST && errno != ENOENT)
			break;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the status file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "cannot open the status file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (shared && !link && (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)) && foreign(&st, &dir)) {
		close(fd);
		snprintf(err, errlen, "--status %s: a file another user made in a world-writable sticky "
			 "directory: not written (as fs.protected_regular would refuse it)", path);
		return -1;
	}
	if (S_ISREG(st.st_mode) && ftruncate(fd, 0)) {
		snprintf(err, errlen, "cannot empty the status file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	s->fd = fd;
	return 0;
}

bool status_write(struct status *s, const char *data, size_t len)
{
	while (s->fd >= 0 && !s->err && len) {
		ssize_t n = write(s->fd, data, len);

		if (n > 0) {
			data += n;
			len -= n;
		} else if (n == 0 || errno != EINTR) {
			s->err = n == 0 ? EIO : errno;
		}
	}
	return !s->err;
}

void status_close(struct status *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
