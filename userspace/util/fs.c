/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "userspace/util/cleanup.h"
#include "userspace/util/fs.h"

int quark_mkdir_p(const char *path, mode_t mode, quark_error_t *err)
{
	cleanup_free char *copy = strdup(path);
	char *p;

	if (!copy)
		return quark_make_error(err, ENOMEM, "mkdir '%s'", path);
	/* Walk the components left to right; each prefix must exist or be created. */
	for (p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return quark_make_error(err, errno, "mkdir '%s'", copy);
		*p = saved;
		if (!saved)
			break;
	}
	return 0;
}

int quark_read_file(const char *path, size_t max, char **buf, size_t *len, quark_error_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_free char *data = NULL;
	struct stat st;
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return quark_make_error(err, errno, "open '%s'", path);
	if (fstat(fd, &st) < 0)
		return quark_make_error(err, errno, "stat '%s'", path);
	if (!S_ISREG(st.st_mode))
		return quark_make_error(err, 0, "'%s' is not a regular file", path);
	if ((size_t)st.st_size > max)
		return quark_make_error(err, 0, "'%s' is larger than %zu bytes", path, max);
	data = malloc(st.st_size + 1);
	if (!data)
		return quark_make_error(err, ENOMEM, "read '%s'", path);
	while (got < (size_t)st.st_size) {
		n = read(fd, data + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return quark_make_error(err, errno, "read '%s'", path);
		if (n == 0)
			break;	/* file shrank under us: use what we have */
		got += n;
	}
	data[got] = '\0';
	*buf = steal_ptr(&data);
	if (len)
		*len = got;
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int quark_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			    quark_error_t *err)
{
	cleanup_free char *tmp = NULL;
	int fd;

	if (asprintf(&tmp, "%s.tmp.%d", path, getpid()) < 0)
		return quark_make_error(err, ENOMEM, "write '%s'", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return quark_make_error(err, errno, "create '%s'", tmp);
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int saved = errno;

		close(fd);
		unlink(tmp);
		return quark_make_error(err, saved, "write '%s'", tmp);
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int saved = errno;

		unlink(tmp);
		return quark_make_error(err, saved, "rename '%s' to '%s'", tmp, path);
	}
	return 0;
}

static int rm_rf_at(int parent, const char *name, const char *top, quark_error_t *err)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (fd < 0) {
		/* Not a directory (or a symlink): unlink the entry itself. */
		if ((errno == ENOTDIR || errno == ELOOP) && unlinkat(parent, name, 0) == 0)
			return 0;
		return errno == ENOENT ? 0 : quark_make_error(err, errno, "remove '%s'", top);
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return quark_make_error(err, errno, "remove '%s'", top);
	}
	while (ret == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ret = rm_rf_at(dirfd(d), de->d_name, top, err);
	}
	closedir(d);
	if (ret == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		ret = quark_make_error(err, errno, "remove '%s'", top);
	return ret;
}

int quark_rm_rf(const char *path, quark_error_t *err)
{
	return rm_rf_at(AT_FDCWD, path, path, err);
}

char *quark_path_join(const char *a, const char *b)
{
	char *out = NULL;
	size_t la = strlen(a);

	if (b[0] == '/')
		return strdup(b);
	while (la > 1 && a[la - 1] == '/')
		la--;
	if (asprintf(&out, "%.*s%s%s", (int)la, a, (la && a[la - 1] == '/') ? "" : "/", b) < 0)
		return NULL;
	return out;
}

void quark_rfc3339(char *buf, size_t size, const struct timespec *ts)
{
	struct tm tm;
	char date[32];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, ts->tv_nsec);
}
