/*
 * ctl_cmds_table.h - the control commands, once: their words, how many
 * arguments each takes, its usage and one-line help, and whether it
 * changes the daemon's state.  nomcastd dispatches through it
 * (nomcastd/ctl_cmds.c, one handler per id), nomcastctl prints its help
 * and checks argument counts from it, and test_ctl_table holds it equal
 * to the command list of nomcastctl(1).
 */
#ifndef NOMCAST_CTL_CMDS_TABLE_H
#define NOMCAST_CTL_CMDS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* the index of a command in ctl_cmd_table[] */
enum ctl_cmd_id {
	CTL_CMD_SHOW_STATUS,
	CTL_CMD_SHOW_PEERS,
	CTL_CMD_SHOW_SERVICES,
	CTL_CMD_SHOW_ROUTES,
	CTL_CMD_SHOW_BFD,
	CTL_CMD_CHECK,
	CTL_CMD_DRAIN,
	CTL_CMD_UNDRAIN,
	CTL_CMD_RELOAD,
	CTL_CMD_EXIT_MODE,
	CTL_CMD_SHUTDOWN,
	CTL_CMD_HELP,
	CTL_CMD_N
};

struct ctl_cmd_desc {
	enum ctl_cmd_id	 id;		/* its own index */
	const char	*name;		/* its words, "show peers" */
	size_t		 minargs, maxargs;
	const char	*usage;		/* "show peers [PEER]" */
	const char	*help;		/* one line, no final period */
	bool		 mutates;	/* changes what the daemon does */
};

/* every command, in help order; ctl_cmd_table[id].id == id */
extern const struct ctl_cmd_desc ctl_cmd_table[CTL_CMD_N];

/*
 * The command whose words start w[0..n-1], the longest if several do
 * ("show peers" before a shorter one); *nwords gets its word count.
 * Words match exactly (no case folding, no prefixes).  NULL if none.
 */
const struct ctl_cmd_desc *ctl_cmd_match(const char *const *w, size_t n,
	    size_t *nwords);

/* true if the command takes nargs arguments */
bool	ctl_cmd_nargs_ok(const struct ctl_cmd_desc *d, size_t nargs);

#endif
