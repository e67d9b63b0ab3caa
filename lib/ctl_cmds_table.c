/*
 * ctl_cmds_table.c - the control commands; see ctl_cmds_table.h.
 */
#include "lib/ctl_cmds_table.h"

#include <string.h>

/*
 * mutates: drain, undrain, reload, exit-mode and shutdown change what is
 * announced (or will be, at exit); check only
 * reads the file, and help and the show commands only look.
 */
const struct ctl_cmd_desc ctl_cmd_table[CTL_CMD_N] = {
	[CTL_CMD_SHOW_STATUS] = {
		.id = CTL_CMD_SHOW_STATUS, .name = "show status",
		.minargs = 0, .maxargs = 0,
		.usage = "show status",
		.help = "the daemon: version, uptime, config, counts",
		.mutates = false,
	},
	[CTL_CMD_SHOW_PEERS] = {
		.id = CTL_CMD_SHOW_PEERS, .name = "show peers",
		.minargs = 0, .maxargs = 1,
		.usage = "show peers [PEER]",
		.help = "the BGP sessions, or one (name or address) in detail",
		.mutates = false,
	},
	[CTL_CMD_SHOW_SERVICES] = {
		.id = CTL_CMD_SHOW_SERVICES, .name = "show services",
		.minargs = 0, .maxargs = 1,
		.usage = "show services [SERVICE]",
		.help = "each service's verdict and why, with its checks",
		.mutates = false,
	},
	[CTL_CMD_SHOW_ROUTES] = {
		.id = CTL_CMD_SHOW_ROUTES, .name = "show routes",
		.minargs = 0, .maxargs = 1,
		.usage = "show routes [PEER]",
		.help = "the routes sent to every peer, or to one",
		.mutates = false,
	},
	[CTL_CMD_SHOW_BFD] = {
		.id = CTL_CMD_SHOW_BFD, .name = "show bfd",
		.minargs = 0, .maxargs = 1,
		.usage = "show bfd [PEER]",
		.help = "the BFD sessions: states, intervals, detection time",
		.mutates = false,
	},
	[CTL_CMD_CHECK] = {
		.id = CTL_CMD_CHECK, .name = "check",
		.minargs = 0, .maxargs = 0,
		.usage = "check",
		.help = "re-read the configuration file; change nothing",
		.mutates = false,
	},
	[CTL_CMD_DRAIN] = {
		.id = CTL_CMD_DRAIN, .name = "drain",
		.minargs = 1, .maxargs = 1,
		.usage = "drain SERVICE|--all",
		.help = "drain a service (or all) before maintenance",
		.mutates = true,
	},
	[CTL_CMD_UNDRAIN] = {
		.id = CTL_CMD_UNDRAIN, .name = "undrain",
		.minargs = 1, .maxargs = 1,
		.usage = "undrain SERVICE|--all",
		.help = "undo drain",
		.mutates = true,
	},
	[CTL_CMD_RELOAD] = {
		.id = CTL_CMD_RELOAD, .name = "reload",
		.minargs = 0, .maxargs = 0,
		.usage = "reload",
		.help = "re-read the configuration file and apply it",
		.mutates = true,
	},
	[CTL_CMD_EXIT_MODE] = {
		.id = CTL_CMD_EXIT_MODE, .name = "exit-mode",
		.minargs = 0, .maxargs = 1,
		.usage = "exit-mode [auto|graceful|hard]",
		.help = "how SIGTERM/SIGINT leave: graceful restart or withdraw",
		.mutates = true,
	},
	[CTL_CMD_SHUTDOWN] = {
		.id = CTL_CMD_SHUTDOWN, .name = "shutdown",
		.minargs = 0, .maxargs = 1,
		.usage = "shutdown [auto|graceful|hard]",
		.help = "leave now, as the exit mode (or the one given) says",
		.mutates = true,
	},
	[CTL_CMD_HELP] = {
		.id = CTL_CMD_HELP, .name = "help",
		.minargs = 0, .maxargs = 0,
		.usage = "help",
		.help = "list the commands",
		.mutates = false,
	},
};

/* the number of leading words of w that spell name, or 0 */
static size_t
words_match(const char *name, const char *const *w, size_t n)
{
	size_t k = 0, len;

	for (;;) {
		len = strcspn(name, " ");
		if (k >= n || strlen(w[k]) != len ||
		    memcmp(w[k], name, len) != 0)
			return 0;
		k++;
		if (name[len] == '\0')
			return k;
		name += len + 1;
	}
}

const struct ctl_cmd_desc *
ctl_cmd_match(const char *const *w, size_t n, size_t *nwords)
{
	const struct ctl_cmd_desc *best = NULL;
	size_t i, k, bestn = 0;

	for (i = 0; i < CTL_CMD_N; i++) {
		k = words_match(ctl_cmd_table[i].name, w, n);
		if (k > bestn) {
			best = &ctl_cmd_table[i];
			bestn = k;
		}
	}
	*nwords = bestn;
	return best;
}

bool
ctl_cmd_nargs_ok(const struct ctl_cmd_desc *d, size_t nargs)
{
	return nargs >= d->minargs && nargs <= d->maxargs;
}
