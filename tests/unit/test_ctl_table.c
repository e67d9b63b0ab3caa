/*
 * test_ctl_table.c - the control command table (lib/ctl_cmds_table.c):
 * the same commands as the command list of nomcastctl(1), each with the
 * argument counts its synopsis there shows, and a table that is sane on
 * its own (ids dense and in order, names unique, usage from the name).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/ctl_cmds_table.h"

#define MAN_PAGE	SRCDIR "/man/nomcastctl.1"
#define MAX_MAN_CMDS	32

/* one command as nomcastctl(1) lists it */
struct man_cmd {
	char	name[64];	/* its words, "show peers" */
	size_t	minargs, maxargs;
};

struct man {
	struct man_cmd	cmd[MAX_MAN_CMDS];
	size_t		n;
};

/*
 * One ".It Cm" line of the command list: lowercase words are the
 * command's, then "Ar x" is a required argument ("Ar a | Fl -all" is one
 * argument, either form), "Op ..." an optional one.
 */
static void
parse_item(char *line, struct man_cmd *c)
{
	char *save, *tok;
	bool in_name = true, alt = false;
	size_t len;

	memset(c, 0, sizeof(*c));
	tok = strtok_r(line, " \t", &save);	/* .It */
	tok = strtok_r(NULL, " \t", &save);	/* Cm */
	assert_non_null(tok);
	assert_string_equal(tok, "Cm");
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if (in_name && strspn(tok, "abcdefghijklmnopqrstuvwxyz-") ==
		    strlen(tok)) {
			len = strlen(c->name);
			snprintf(c->name + len, sizeof(c->name) - len, "%s%s",
			    len ? " " : "", tok);
			continue;
		}
		in_name = false;
		if (strcmp(tok, "Op") == 0) {
			c->maxargs++;
			/* the rest of an Op is its own argument's words */
			while (strtok_r(NULL, " \t", &save) != NULL)
				;
			break;
		}
		if (strcmp(tok, "|") == 0) {
			alt = true;
		} else if (strcmp(tok, "Ar") == 0 || strcmp(tok, "Fl") == 0) {
			if (!alt) {
				c->minargs++;
				c->maxargs++;
			}
			alt = false;
			/* the argument's name */
			(void)strtok_r(NULL, " \t", &save);
		}
	}
}

/* the list after "The commands are:", up to its .El */
static void
man_load(struct man *m)
{
	FILE *fp = fopen(MAN_PAGE, "r");
	char line[512];
	bool in_list = false, seen_intro = false;

	assert_non_null(fp);
	memset(m, 0, sizeof(*m));
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (!seen_intro) {
			seen_intro = strcmp(line, "The commands are:") == 0;
			continue;
		}
		if (!in_list) {
			assert_true(strncmp(line, ".Bl", 3) == 0);
			in_list = true;
			continue;
		}
		if (strncmp(line, ".Bl", 3) == 0)
			fail_msg("nested list in the command list: %s", line);
		if (strcmp(line, ".El") == 0)
			break;
		if (strncmp(line, ".It ", 4) != 0)
			continue;
		assert_true(m->n < MAX_MAN_CMDS);
		parse_item(line, &m->cmd[m->n++]);
	}
	fclose(fp);
	assert_true(in_list);
}

static const struct man_cmd *
man_find(const struct man *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->cmd[i].name, name) == 0)
			return &m->cmd[i];
	return NULL;
}

static const struct ctl_cmd_desc *
table_find(const char *name)
{
	size_t i;

	for (i = 0; i < CTL_CMD_N; i++)
		if (strcmp(ctl_cmd_table[i].name, name) == 0)
			return &ctl_cmd_table[i];
	return NULL;
}

/* ---- the man page ---- */

static void
test_ctl_table_parser_reads_the_synopsis_forms(void **state)
{
	struct man_cmd c;
	char a[] = ".It Cm show peers Op Ar peer";
	char b[] = ".It Cm drain Ar service | Fl -all";
	char d[] = ".It Cm reload";
	char e[] = ".It Cm set thing Ar key Ar value";

	(void)state;
	parse_item(a, &c);
	assert_string_equal(c.name, "show peers");
	assert_int_equal(c.minargs, 0);
	assert_int_equal(c.maxargs, 1);
	parse_item(b, &c);
	assert_string_equal(c.name, "drain");
	assert_int_equal(c.minargs, 1);
	assert_int_equal(c.maxargs, 1);
	parse_item(d, &c);
	assert_string_equal(c.name, "reload");
	assert_int_equal(c.maxargs, 0);
	parse_item(e, &c);
	assert_string_equal(c.name, "set thing");
	assert_int_equal(c.minargs, 2);
	assert_int_equal(c.maxargs, 2);
}

static void
test_ctl_table_every_command_is_in_the_man_page(void **state)
{
	struct man m;
	const struct man_cmd *c;
	size_t i;

	(void)state;
	man_load(&m);
	for (i = 0; i < CTL_CMD_N; i++) {
		c = man_find(&m, ctl_cmd_table[i].name);
		if (c == NULL)
			fail_msg("'%s' is not in the command list of %s",
			    ctl_cmd_table[i].name, MAN_PAGE);
		if (c->minargs != ctl_cmd_table[i].minargs ||
		    c->maxargs != ctl_cmd_table[i].maxargs)
			fail_msg("'%s': %zu..%zu arguments in %s, %zu..%zu in "
			    "the table", c->name, c->minargs, c->maxargs,
			    MAN_PAGE, ctl_cmd_table[i].minargs,
			    ctl_cmd_table[i].maxargs);
	}
}

static void
test_ctl_table_every_man_page_command_is_in_the_table(void **state)
{
	struct man m;
	size_t i;

	(void)state;
	man_load(&m);
	/* the page lists commands: an empty parse is a broken parser */
	assert_true(m.n >= 2);
	for (i = 0; i < m.n; i++)
		if (table_find(m.cmd[i].name) == NULL)
			fail_msg("%s documents '%s', which is not in "
			    "ctl_cmd_table", MAN_PAGE, m.cmd[i].name);
	assert_int_equal(m.n, CTL_CMD_N);
}

/* ---- the table itself ---- */

static void
test_ctl_table_ids_are_dense_and_in_order(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < CTL_CMD_N; i++) {
		assert_int_equal(ctl_cmd_table[i].id, i);
		assert_non_null(ctl_cmd_table[i].name);
		assert_non_null(ctl_cmd_table[i].usage);
		assert_non_null(ctl_cmd_table[i].help);
	}
}

static void
test_ctl_table_names_are_unique_words(void **state)
{
	const char *n;
	size_t i, j;

	(void)state;
	for (i = 0; i < CTL_CMD_N; i++) {
		n = ctl_cmd_table[i].name;
		/* single spaces between lowercase words */
		assert_true(n[0] != '\0' && n[0] != ' ');
		assert_true(n[strlen(n) - 1] != ' ');
		assert_null(strstr(n, "  "));
		assert_int_equal(strspn(n, "abcdefghijklmnopqrstuvwxyz -"),
		    strlen(n));
		for (j = i + 1; j < CTL_CMD_N; j++)
			assert_string_not_equal(n, ctl_cmd_table[j].name);
	}
}

static void
test_ctl_table_usage_starts_with_the_name(void **state)
{
	const struct ctl_cmd_desc *d;
	size_t i, len;

	(void)state;
	for (i = 0; i < CTL_CMD_N; i++) {
		d = &ctl_cmd_table[i];
		len = strlen(d->name);
		assert_true(d->minargs <= d->maxargs);
		assert_memory_equal(d->usage, d->name, len);
		/* arguments in the usage if and only if it takes any */
		if (d->maxargs == 0)
			assert_string_equal(d->usage, d->name);
		else
			assert_true(d->usage[len] == ' ' &&
			    d->usage[len + 1] != '\0');
		assert_true(d->help[0] != '\0');
		assert_true(d->help[strlen(d->help) - 1] != '.');
	}
}

static void
test_ctl_table_only_the_steering_commands_change_state(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < CTL_CMD_N; i++)
		assert_int_equal(ctl_cmd_table[i].mutates,
		    i == CTL_CMD_DRAIN || i == CTL_CMD_UNDRAIN ||
		    i == CTL_CMD_RELOAD || i == CTL_CMD_EXIT_MODE ||
		    i == CTL_CMD_SHUTDOWN);
}

/* ---- matching ---- */

static void
test_ctl_table_match_takes_the_longest_exact_words(void **state)
{
	const char *w1[] = { "show", "peers", "edge" };
	const char *w2[] = { "show" };
	const char *w3[] = { "SHOW", "PEERS" };
	const char *w4[] = { "show", "peer" };
	const char *w5[] = { "drain", "--all" };
	const char *w6[] = { "reloaded" };
	const struct ctl_cmd_desc *d;
	size_t nw = 99;

	(void)state;
	d = ctl_cmd_match(w1, 3, &nw);
	assert_non_null(d);
	assert_int_equal(d->id, CTL_CMD_SHOW_PEERS);
	assert_int_equal(nw, 2);
	assert_null(ctl_cmd_match(w2, 1, &nw));
	assert_int_equal(nw, 0);
	assert_null(ctl_cmd_match(w3, 2, &nw));
	assert_null(ctl_cmd_match(w4, 2, &nw));
	assert_null(ctl_cmd_match(w6, 1, &nw));
	assert_null(ctl_cmd_match(w1, 0, &nw));
	d = ctl_cmd_match(w5, 2, &nw);
	assert_non_null(d);
	assert_int_equal(d->id, CTL_CMD_DRAIN);
	assert_int_equal(nw, 1);
	assert_true(ctl_cmd_nargs_ok(d, 1));
	assert_false(ctl_cmd_nargs_ok(d, 0));
	assert_false(ctl_cmd_nargs_ok(d, 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_ctl_table_parser_reads_the_synopsis_forms),
		cmocka_unit_test(
		    test_ctl_table_every_command_is_in_the_man_page),
		cmocka_unit_test(
		    test_ctl_table_every_man_page_command_is_in_the_table),
		cmocka_unit_test(test_ctl_table_ids_are_dense_and_in_order),
		cmocka_unit_test(test_ctl_table_names_are_unique_words),
		cmocka_unit_test(test_ctl_table_usage_starts_with_the_name),
		cmocka_unit_test(
		    test_ctl_table_only_the_steering_commands_change_state),
		cmocka_unit_test(
		    test_ctl_table_match_takes_the_longest_exact_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
