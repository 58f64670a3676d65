/* lib/printf.c - vsnprintf for qkernel: %d %i %u %x %X %o %p %s %c %%, flags - 0 # and
 * width/precision (incl. *), length modifiers hh h l ll z t. */
#include <qk/lib.h>

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, u64 v, int base, bool neg, bool upper, int width,
		    int prec, bool left, char pad)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int i = 0, len;

	if (v == 0 && prec != 0)
		tmp[i++] = '0';
	while (v) {
		tmp[i++] = dig[v % base];
		v /= base;
	}
	while (i < prec)
		tmp[i++] = '0';
	len = i + (neg ? 1 : 0);
	if (neg && pad == '0')
		put(o, '-');
	if (!left)
		for (; width > len; width--)
			put(o, pad);
	if (neg && pad != '0')
		put(o, '-');
	while (i)
		put(o, tmp[--i]);
	for (; width > len; width--)
		put(o, ' ');
}

static void put_str(struct out *o, const char *s, int width, int prec, bool left)
{
	size_t len;

	if (!s)
		s = "(null)";
	len = prec >= 0 ? strnlen(s, prec) : strlen(s);
	if (!left)
		for (; width > (int)len; width--)
			put(o, ' ');
	for (size_t i = 0; i < len; i++)
		put(o, s[i]);
	for (; width > (int)len; width--)
		put(o, ' ');
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };

	for (; *fmt; fmt++) {
		bool left = false, upper = false, alt = false;
		char pad = ' ';
		int width = 0, prec = -1, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0' || *fmt == '#'; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				alt = true;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + *fmt - '0';
		if (*fmt == '.') {
			prec = 0;
			if (*++fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			for (; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = prec * 10 + *fmt - '0';
		}
		for (; *fmt == 'l' || *fmt == 'h' || *fmt == 'z' || *fmt == 't'; fmt++)
			if (*fmt != 'h')
				lng = 1;
		if (left)
			pad = ' ';
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
			put_num(&o, v < 0 ? -(u64)v : (u64)v, 10, v < 0, false, width, prec, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			u64 v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
			int base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			upper = *fmt == 'X';
			if (alt && v && base == 16) {
				put(&o, '0');
				put(&o, upper ? 'X' : 'x');
			}
			put_num(&o, v, base, false, upper, width, prec, left, pad);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (u64)va_arg(ap, void *), 16, false, false, width, prec, left, pad);
			break;
		case 's':
			put_str(&o, va_arg(ap, const char *), width, prec, left);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
		}
	}
	if (n)
		buf[o.len < n ? o.len : n - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}
