/* Unit tests for kvm_irqfd (src/kvm/kvm_irqfd.c) without KVM: the
 * level-triggered line falls back to vm->irq_line (fake_vm records it),
 * changes the level only on a change, has no resample fd, and destroy
 * lowers a line left high. The irqfd path itself needs a VM fd.
 */
#include <check.h>

#include "fake_vm.h"
#include "kvm_irqfd.h"
#include "test_runner.h"

#define GSI 9

static struct fake_vm f;
static struct kvm_irqfd_level l;

static void setup(void)
{
	fake_vm_init(&f, 0);
	ck_assert_int_eq(kvm_irqfd_level_init(&l, &f.vm, GSI), 0);
}

static void teardown(void)
{
	fake_vm_destroy(&f);
}

START_TEST(fallback_follows_the_level)
{
	ck_assert_int_eq(l.trigger_efd, -1);
	ck_assert_int_eq(kvm_irqfd_level_resample_fd(&l), -1);
	ck_assert(!kvm_irqfd_level_resampled(&l));
	kvm_irqfd_level_set(&l, true);
	ck_assert_int_eq(f.irq_level[GSI], 1);
	kvm_irqfd_level_set(&l, true);
	ck_assert_uint_eq(f.irq_raises[GSI], 1);
	kvm_irqfd_level_set(&l, false);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	kvm_irqfd_level_set(&l, true);
	ck_assert_uint_eq(f.irq_raises[GSI], 2);
	/* Other lines untouched. */
	ck_assert_int_eq(f.irq_level[GSI + 1], 0);
	kvm_irqfd_level_destroy(&l);
	ck_assert_int_eq(f.irq_level[GSI], 0);
}
END_TEST

START_TEST(destroy_low_line)
{
	kvm_irqfd_level_destroy(&l);
	ck_assert_int_eq(f.irq_level[GSI], 0);
	ck_assert_uint_eq(f.irq_raises[GSI], 0);
}
END_TEST

static Suite *irqfd_suite(void)
{
	Suite *s = suite_create("kvm_irqfd");
	TCase *tc = tcase_create("fallback");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fallback_follows_the_level);
	tcase_add_test(tc, destroy_low_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(irqfd_suite());
}
