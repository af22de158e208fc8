/* test_runner: the one main() body every Check test program shares. */
#ifndef VMM_TEST_RUNNER_H
#define VMM_TEST_RUNNER_H

#include <check.h>

/* Runs every test in s (forking per test) and returns the process exit
 * status: 0 if all passed, 1 otherwise. */
int test_run_suite(Suite *s);

#endif
