/* check_shim: Check's assertion hooks for code that runs outside Check.
 *
 * The unit-test support (tests/support: drvq, fake_transport, echo_dev)
 * reports a misbehaving device with ck_assert, which expands to calls of
 * _mark_point and _ck_assert_failed. Outside a Check runner those would try
 * to talk to a runner that is not there; in a fuzz target a failed check
 * must be a crash libFuzzer records. These definitions come first in the
 * link, so libcheck's are never pulled in.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void _mark_point(const char *file, int line)
{
	(void)file;
	(void)line;
}

void _ck_assert_failed(const char *file, int line, const char *expr,
		       const char *msg, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: check failed at %s:%d: %s", file, line, expr);
	if (msg) {
		fprintf(stderr, ": ");
		va_start(ap, msg);
		vfprintf(stderr, msg, ap);
		va_end(ap);
	}
	fprintf(stderr, "\n");
	abort();
}
