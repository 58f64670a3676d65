/* qk/lib.h - qkernel's own string, formatting and logging helpers (no libc). */
#ifndef QK_LIB_H
#define QK_LIB_H

#include <qk/types.h>

/* String and memory functions: standard names and semantics (the compiler may emit
 * calls to memcpy/memset itself). */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
size_t strlcpy(char *d, const char *s, size_t n);
char *kstrdup(const char *s);	/* kmalloc'd copy, NULL on ENOMEM */

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __printf(3, 4);

/* Log levels, same numbering as quark_boot_info.log_level. */
enum { LOG_OFF, LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };
extern int log_level;
void printk(int level, const char *fmt, ...) __printf(2, 3);
#define pr_err(...)	printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)	printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)	printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	do { if (log_level >= LOG_DEBUG) printk(LOG_DEBUG, __VA_ARGS__); } while (0)
#define pr_trace(...)	do { if (log_level >= LOG_TRACE) printk(LOG_TRACE, __VA_ARGS__); } while (0)

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
#define BUG_ON(c) do { if (unlikely(c)) panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__); } while (0)

#endif
