/* lib/printk.c - kernel log lines ("qkernel: <level>: msg") to the platform's log. */
#include <qk/lib.h>
#include <qk/platform.h>

int log_level = LOG_WARN;

static const char *const level_names[] = { "off", "error", "warn", "info", "debug", "trace" };

static void vlog(int level, const char *fmt, va_list ap)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "qkernel %s: ", level_names[level]);

	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	if (buf[n - 1] != '\n')
		buf[n++] = '\n';
	plat_log_write(buf, n);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level || level <= LOG_OFF)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
	plat_shutdown(WSTATUS_PANIC);
}
