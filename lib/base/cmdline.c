/* cmdline.c - the kernel command line, split as the kernel splits it
 * (see base.h; Linux: kernel/params.c, next_arg() and parse_args()).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base.h"

/* The kernel's isspace() (lib/ctype.c), Latin-1's no-break space too. */
static bool blank(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (unsigned char)c == 0xa0;
}

static char *skip_blanks(char *s)
{
	while (blank(*s))
		s++;
	return s;
}

bool cmdline_next(char **s, struct cmdline_word *w)
{
	char *a = skip_blanks(*s);
	size_t i, equals = 0;
	bool in_quote = false, quoted = false;

	if (!*a) {
		*s = a;
		return false;
	}
	if (*a == '"') {
		a++;
		in_quote = quoted = true;
	}
	for (i = 0; a[i]; i++) {
		if (blank(a[i]) && !in_quote)
			break;
		/* as the kernel: an '=' first in the word is not a split */
		if (equals == 0 && a[i] == '=')
			equals = i;
		if (a[i] == '"')
			in_quote = !in_quote;
	}
	w->param = a;
	w->val = NULL;
	w->quoted = quoted;
	if (equals) {
		a[equals] = '\0';
		w->val = a + equals + 1;
		if (*w->val == '"') {
			w->val++;
			w->quoted = true;
			if (a[i - 1] == '"')
				a[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && a[i - 1] == '"')
		a[i - 1] = '\0';
	if (a[i])
		a[i++] = '\0';
	*s = skip_blanks(a + i);
	return true;
}

int cmdline_read(const char *path, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r = 1;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* /proc gives the line in one read; a pipe may take several */
	while (n < size - 1 && r > 0) {
		r = read(fd, buf + n, size - 1 - n);
		if (r > 0)
			n += (size_t)r;
		else if (r < 0 && errno == EINTR)
			r = 1;
	}
	e = errno;
	fd_close(fd);
	buf[n] = '\0';
	if (r < 0) {
		errno = e;
		return -1;
	}
	if (n == size - 1) {
		errno = E2BIG;
		return -1;
	}
	return 0;
}

size_t cmdline_module(const struct cmdline_word *w)
{
	size_t n = strspn(w->param, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	if (n == 0 || w->param[n] != '.' || !w->param[n + 1] ||
	    strpbrk(w->param + n + 1, ".\""))
		return 0;
	return n;
}
