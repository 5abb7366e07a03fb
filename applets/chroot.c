/* chroot - run a command with another root directory
 *
 * usage: chroot DIR [COMMAND [ARGS...]]
 *   COMMAND defaults to /bin/sh (as with coreutils, "$SHELL -i" is not
 *   used: an initramfs has no reliable environment)
 *
 * For the classic initrd hand-off: exec chroot . /sbin/init <dev/console
 *
 * exit: 125 chroot failed; 126 COMMAND found but not run; 127 COMMAND not
 *       found; else COMMAND's own (it replaces this process)
 *
 * Notes: the working directory is changed to the new root as well, so no
 * reference to the old root survives in this process.
 */
#include <errno.h>
#include <unistd.h>

#include "applet.h"

/* Called through the applet table (applets/initbox.c, generated). */
int chroot_main(int argc, char **argv);

int chroot_main(int argc, char **argv)
{
	char sh0[] = "/bin/sh", sh1[] = "-i";
	char *sh[] = {sh0, sh1, NULL};
	char **cmd;
	int e;

	if (argc >= 2 && argv[1][0] == '-' && argv[1][1] == '-' &&
	    argv[1][2] == '\0')
		argv++, argc--;
	if (argc < 2)
		die_usage("missing operand DIR");
	if (chroot(argv[1]) < 0) {
		warn_errno("change root to %s", argv[1]);
		return 125;
	}
	if (chdir("/") < 0) {
		warn_errno("change directory to / in %s", argv[1]);
		return 125;
	}
	cmd = argc > 2 ? argv + 2 : sh;
	execvp(cmd[0], cmd);
	e = errno;
	warn_errno("run %s", cmd[0]);
	return e == ENOENT ? 127 : 126;
}
