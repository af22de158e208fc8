/* Unit tests for the console escape keys in src/vmm/console.c. */
#include <check.h>
#include <string.h>

#include "console.h"
#include "test_runner.h"

/* Feeds a key sequence; returns the bytes passed to the guest, and whether
 * a quit was requested. */
static int feed(const char *keys, char *passed)
{
	struct console_escape e = {0};
	int quit = 0;

	for (; *keys; keys++) {
		switch (console_escape_feed(&e, (unsigned char)*keys)) {
		case CONSOLE_PASS:
			*passed++ = *keys;
			break;
		case CONSOLE_SWALLOW:
			break;
		case CONSOLE_QUIT:
			quit = 1;
			break;
		}
	}
	*passed = '\0';
	return quit;
}

static const struct {
	const char *keys, *passed;
	int quit;
} cases[] = {
	{"ls\r", "ls\r", 0},
	{"\001x", "", 1},
	{"\001X", "", 1},
	{"ab\001xcd", "abcd", 1},
	{"\001\001", "\001", 0},
	{"\001q", "", 0},    /* unknown command key is dropped */
	{"x\001", "x", 0},   /* escape pending at the end */
	{"\003", "\003", 0}, /* Ctrl-C goes to the guest */
};

START_TEST(test_escape_table)
{
	char passed[32];
	int quit = feed(cases[_i].keys, passed);

	ck_assert_int_eq(quit, cases[_i].quit);
	ck_assert_str_eq(passed, cases[_i].passed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("console");

	tcase_add_loop_test(tc, test_escape_table, 0,
			    sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
