/*
 * kernel/cred.c - credentials: the uid and gid families, supplementary groups, fsuid,
 * and capget. The rules are Linux's kernel/sys.c with one capability model: a process
 * has every capability while its effective uid is 0 and none otherwise (which is what
 * Linux's setuid capability fix-ups amount to without capset or securebits).
 * The uid and gid families share one implementation over a struct idref view.
 */
#include "signal_internal.h"
#include <qk/uaccess.h>
#include <qk/lib.h>
#include <linux/capability.h>

#define NO_ID		((u32)-1)
#define NGROUPS_MAX_	65536

/* The four ids of one family (uid or gid) of a cred. */
struct idref {
	u32 *r, *e, *s, *fs;
};

static struct idref uids(struct cred *c) { return (struct idref){ &c->uid, &c->euid, &c->suid, &c->fsuid }; }
static struct idref gids(struct cred *c) { return (struct idref){ &c->gid, &c->egid, &c->sgid, &c->fsgid }; }

/* CAP_SETUID / CAP_SETGID */
static bool may_setid(void)
{
	return capable_root(current->proc);
}

static bool is_one_of(const struct idref *o, u32 id)
{
	return id == *o->r || id == *o->e || id == *o->s;
}

/* setuid(): root sets all of them; others only the effective one, to the real or
 * saved id. (uid_t)-1 is not a valid id here. */
static long set_id(struct idref c, u32 id)
{
	if (id == NO_ID)
		return -EINVAL;
	if (may_setid())
		*c.r = *c.s = id;
	else if (id != *c.r && id != *c.s)
		return -EPERM;
	*c.e = *c.fs = id;
	return 0;
}

/* setreuid(): the real id may become the effective one, the effective one any of the
 * three; the saved id follows the new effective id when the real id was set or the
 * effective id changed to something other than the old real id. */
static long set_re_id(struct idref c, u32 r, u32 e)
{
	u32 old_r = *c.r, old_e = *c.e, old_s = *c.s;
	bool priv = may_setid();

	if (r != NO_ID && r != old_r && r != old_e && !priv)
		return -EPERM;
	if (e != NO_ID && e != old_r && e != old_e && e != old_s && !priv)
		return -EPERM;
	if (r != NO_ID)
		*c.r = r;
	if (e != NO_ID)
		*c.e = e;
	if (r != NO_ID || (e != NO_ID && e != old_r))
		*c.s = *c.e;
	*c.fs = *c.e;
	return 0;
}

static long set_res_id(struct idref c, u32 r, u32 e, u32 s)
{
	if ((r == NO_ID || r == *c.r) && (e == NO_ID || (e == *c.e && e == *c.fs)) &&
	    (s == NO_ID || s == *c.s))
		return 0;	/* nothing changes */
	if (((r != NO_ID && !is_one_of(&c, r)) || (e != NO_ID && !is_one_of(&c, e)) ||
	     (s != NO_ID && !is_one_of(&c, s))) && !may_setid())
		return -EPERM;
	if (r != NO_ID)
		*c.r = r;
	if (e != NO_ID)
		*c.e = e;
	if (s != NO_ID)
		*c.s = s;
	*c.fs = *c.e;
	return 0;
}

/* setfsuid() returns the old fsuid whatever happens. */
static long set_fs_id(struct idref c, u32 id)
{
	u32 old = *c.fs;

	if (id == NO_ID)
		return old;
	if (is_one_of(&c, id) || id == *c.fs || may_setid())
		*c.fs = id;
	return old;
}

static long get_res_id(struct idref c, uaddr_t ur, uaddr_t ue, uaddr_t us)
{
	if (put_user(*c.r, ur) || put_user(*c.e, ue) || put_user(*c.s, us))
		return -EFAULT;
	return 0;
}

#define CRED (&current->proc->cred)

long sys_getuid(void) { return CRED->uid; }
long sys_geteuid(void) { return CRED->euid; }
long sys_getgid(void) { return CRED->gid; }
long sys_getegid(void) { return CRED->egid; }
long sys_setuid(u32 uid) { return set_id(uids(CRED), uid); }
long sys_setgid(u32 gid) { return set_id(gids(CRED), gid); }
long sys_setreuid(u32 r, u32 e) { return set_re_id(uids(CRED), r, e); }
long sys_setregid(u32 r, u32 e) { return set_re_id(gids(CRED), r, e); }
long sys_setresuid(u32 r, u32 e, u32 s) { return set_res_id(uids(CRED), r, e, s); }
long sys_setresgid(u32 r, u32 e, u32 s) { return set_res_id(gids(CRED), r, e, s); }
long sys_getresuid(uaddr_t r, uaddr_t e, uaddr_t s) { return get_res_id(uids(CRED), r, e, s); }
long sys_getresgid(uaddr_t r, uaddr_t e, uaddr_t s) { return get_res_id(gids(CRED), r, e, s); }
long sys_setfsuid(u32 uid) { return set_fs_id(uids(CRED), uid); }
long sys_setfsgid(u32 gid) { return set_fs_id(gids(CRED), gid); }

long sys_getgroups(int size, uaddr_t ulist)
{
	struct cred *c = CRED;

	if (size < 0)
		return -EINVAL;
	if (size) {
		if ((u32)size < c->ngroups)
			return -EINVAL;
		if (copy_to_user(ulist, c->groups, c->ngroups * sizeof(u32)))
			return -EFAULT;
	}
	return c->ngroups;
}

/* Groups are kept sorted (duplicates included), as Linux's groups_sort(). More than
 * the cred's 32 slots cannot be stored: EINVAL (Linux allows 65536). */
long sys_setgroups(int size, uaddr_t ulist)
{
	struct cred *c = CRED;
	u32 g[ARRAY_SIZE(c->groups)];

	if (!may_setid())
		return -EPERM;
	if ((u32)size > NGROUPS_MAX_ || (u32)size > ARRAY_SIZE(g))
		return -EINVAL;
	if (size && copy_from_user(g, ulist, size * sizeof(u32)))
		return -EFAULT;
	for (int i = 1; i < size; i++) {	/* insertion sort: at most 32 */
		u32 v = g[i];
		int j = i;
		for (; j > 0 && g[j - 1] > v; j--)
			g[j] = g[j - 1];
		g[j] = v;
	}
	memcpy(c->groups, g, size * sizeof(u32));
	c->ngroups = size;
	return 0;
}

/* capget(2): versions 1 (one u32 per set) and 2/3 (two); an unknown version gets the
 * preferred one written back and EINVAL (0 when data is NULL: a version probe). */
long sys_capget(uaddr_t uhdr, uaddr_t udata)
{
	struct __user_cap_data_struct d[2];
	const u64 all = (1ULL << (CAP_LAST_CAP + 1)) - 1;
	struct proc *p = current->proc;
	unsigned words;
	u32 version;
	int pid;

	if (get_user(version, uhdr))
		return -EFAULT;
	if (version == _LINUX_CAPABILITY_VERSION_1) {
		words = 1;
	} else if (version == _LINUX_CAPABILITY_VERSION_2 || version == _LINUX_CAPABILITY_VERSION_3) {
		words = 2;
	} else {
		if (put_user((u32)_LINUX_CAPABILITY_VERSION_3, uhdr))
			return -EFAULT;
		return udata ? -EINVAL : 0;
	}
	if (!udata)
		return 0;
	if (get_user(pid, uhdr + 4))
		return -EFAULT;
	if (pid < 0)
		return -EINVAL;
	if (pid && pid != p->pid && !(p = proc_find(pid)))
		return -ESRCH;
	{
		u64 eff = p->cred.euid == 0 ? all : 0;
		u64 perm = (p->cred.uid == 0 || p->cred.euid == 0 || p->cred.suid == 0) ? all : 0;
		for (unsigned i = 0; i < 2; i++) {
			d[i].effective = (u32)(eff >> (32 * i));
			d[i].permitted = (u32)(perm >> (32 * i));
			d[i].inheritable = 0;
		}
	}
	return copy_to_user(udata, d, words * sizeof(d[0])) ? -EFAULT : 0;
}
