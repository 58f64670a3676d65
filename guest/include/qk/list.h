/* qk/list.h - intrusive doubly linked lists (circular, with a head node). */
#ifndef QK_LIST_H
#define QK_LIST_H

#include <qk/types.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(n)	{ &(n), &(n) }
#define LIST_HEAD(n)		struct list_head n = LIST_HEAD_INIT(n)

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

static inline void __list_add(struct list_head *n, struct list_head *p, struct list_head *nx)
{
	nx->prev = n;
	n->next = nx;
	n->prev = p;
	p->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *h) { __list_add(n, h, h->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *h) { __list_add(n, h->prev, h); }
static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = e;
}

#define list_entry(p, T, m)		container_of(p, T, m)
#define list_first_entry(h, T, m)	list_entry((h)->next, T, m)
#define list_for_each_entry(e, h, m) \
	for (e = list_entry((h)->next, __typeof__(*e), m); &e->m != (h); \
	     e = list_entry(e->m.next, __typeof__(*e), m))
#define list_for_each_entry_safe(e, t, h, m) \
	for (e = list_entry((h)->next, __typeof__(*e), m), \
	     t = list_entry(e->m.next, __typeof__(*e), m); &e->m != (h); \
	     e = t, t = list_entry(t->m.next, __typeof__(*e), m))

#endif
