/* Escape test (quark only): run as the container's init, try to reach the host.
 *
 *   escape TOKEN HOSTDIR
 *
 * TOKEN is a random string that run.t wrote to HOSTDIR/token on the host,
 * outside the rootfs. The rootfs has /escape/ with symlinks pointing at it
 * (see run.t). Every attempt to read HOSTDIR/token from inside must fail or
 * read something else. Output is deterministic: paths are shown by label. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *token;
static int leaks;

static const char *ename(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOTDIR: return "ENOTDIR";
	case ELOOP: return "ELOOP";
	case EXDEV: return "EXDEV";
	case EINVAL: return "EINVAL";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	default: return "other-errno";
	}
}

/* Try to open path (relative to dirfd) and report whether the token came through. */
static void try_at(const char *label, int dirfd, const char *path)
{
	int fd = openat(dirfd, path, O_RDONLY);
	if (fd < 0) {
		printf("%s: %s\n", label, ename(errno));
		return;
	}
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (strstr(buf, token)) {
		leaks++;
		printf("%s: LEAK: host token read\n", label);
	} else {
		printf("%s: opened something else (no token)\n", label);
	}
}

static void try(const char *label, const char *path)
{
	try_at(label, AT_FDCWD, path);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: escape TOKEN HOSTDIR\n");
		return 2;
	}
	token = argv[1];
	const char *hostdir = argv[2];
	char p[8192];

	printf("getpid=%ld\n", (long)syscall(SYS_getpid));
	printf("getppid=%ld\n", (long)syscall(SYS_getppid));
	struct utsname u;
	uname(&u);
	printf("hostname=%s\n", u.nodename);
	ssize_t n = readlink("/proc/self/exe", p, sizeof p - 1);
	p[n > 0 ? n : 0] = 0;
	printf("/proc/self/exe -> %s\n", n > 0 ? p : ename(errno));
	n = readlink("/proc/self", p, sizeof p - 1);
	p[n > 0 ? n : 0] = 0;
	printf("/proc/self -> %s\n", n > 0 ? p : ename(errno));

	/* direct and disguised absolute host paths */
	snprintf(p, sizeof p, "%s/token", hostdir);
	try("absolute host path", p);
	snprintf(p, sizeof p, "/../../../..%s/token", hostdir);
	try("/.. prefixed host path", p);
	snprintf(p, sizeof p, "/proc/self/root%s/token", hostdir);
	try("via /proc/self/root", p);
	snprintf(p, sizeof p, "/proc/1/root%s/token", hostdir);
	try("via /proc/1/root", p);
	snprintf(p, sizeof p, "/proc/self/cwd/../../../../../..%s/token", hostdir);
	try("via /proc/self/cwd/..", p);
	/* relative .. chains from the cwd (/escape) */
	snprintf(p, sizeof p, "../../../../../../../../../../..%s/token", hostdir);
	try("relative .. chain", p);
	/* symlinks planted in the rootfs by run.t */
	try("symlink to absolute host path", "/escape/abs-link");
	try("symlink with .. chain to host path", "/escape/rel-link");
	try("symlink to ../../etc/hostname", "/escape/etc-hostname");
	snprintf(p, sizeof p, "/escape/root-link%s/token", hostdir);
	try("through symlink to /", p);
	snprintf(p, sizeof p, "/escape/dotdot-link%s/token", hostdir);
	try("through symlink to ../../..", p);
	/* dirfd-relative */
	int root = open("/", O_RDONLY | O_DIRECTORY);
	snprintf(p, sizeof p, "..%s/token", hostdir);
	try_at("openat(/, ..host path)", root, p);
	int esc = open("/escape", O_RDONLY | O_DIRECTORY);
	try_at("openat(/escape, rel-link)", esc, "rel-link");
	/* chdir up as far as possible */
	for (int i = 0; i < 64; i++)
		if (chdir("..") != 0)
			break;
	char cwd[4096];
	printf("cwd after 64 x chdir(..): %s\n", getcwd(cwd, sizeof cwd) ? cwd : ename(errno));
	snprintf(p, sizeof p, ".%s/token", hostdir);
	try("relative after chdir(..)", p);
	/* the host's files are not there */
	try("/etc/hostname", "/etc/hostname");
	struct stat st;
	printf("stat host dir: %s\n", stat(hostdir, &st) == 0 ? "EXISTS" : ename(errno));
	printf("leaks=%d\n", leaks);
	return leaks ? 1 : 0;
}
