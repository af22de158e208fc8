/* Unit tests for src/kvm/cpuid.c: the topology leaves for vCPU i of n. */
#include <check.h>
#include <linux/kvm.h>
#include <stdlib.h>

#include "cpuid.h"
#include "test_runner.h"

static const struct {
	uint32_t function, index;
} leaves[] = {
	{0, 0},	   {1, 0},    {4, 0},	       {4, 1},
	{0xb, 0},  {0xb, 1},  {0xb, 2},	       {0x1f, 0},
	{0x1f, 1}, {0x1f, 2}, {0x80000008, 0}, {0x8000001e, 0},
};
#define NR_LEAVES (sizeof(leaves) / sizeof(leaves[0]))

static struct kvm_cpuid2 *make_table(void)
{
	struct kvm_cpuid2 *t = calloc(
		1, sizeof(*t) + NR_LEAVES * sizeof(struct kvm_cpuid_entry2));

	t->nent = NR_LEAVES;
	for (unsigned int i = 0; i < NR_LEAVES; i++) {
		t->entries[i].function = leaves[i].function;
		t->entries[i].index = leaves[i].index;
		t->entries[i].eax = t->entries[i].ebx = 0xffffffff;
		t->entries[i].ecx = t->entries[i].edx = 0xffffffff;
	}
	return t;
}

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *t, uint32_t f,
				     uint32_t idx)
{
	for (unsigned int i = 0; i < t->nent; i++)
		if (t->entries[i].function == f && t->entries[i].index == idx)
			return &t->entries[i];
	ck_abort_msg("leaf %#x.%u missing", f, idx);
	return NULL;
}

static const struct {
	uint32_t apic_id, nr, bits;
} topo[] = {
	{0, 1, 0}, {0, 2, 1},	{1, 2, 1},   {3, 4, 2},
	{4, 5, 3}, {15, 16, 4}, {63, 64, 6},
};

START_TEST(test_topology_table)
{
	struct kvm_cpuid2 *t = make_table();
	uint32_t id = topo[_i].apic_id, nr = topo[_i].nr;

	cpuid_set_topology(t, id, nr);
	ck_assert_uint_eq(find(t, 1, 0)->ebx >> 24, id);
	ck_assert_uint_eq((find(t, 1, 0)->ebx >> 16) & 0xff, nr);
	ck_assert(find(t, 1, 0)->ecx & (1u << 31)); /* hypervisor */
	ck_assert_uint_eq(find(t, 4, 1)->eax >> 26, nr - 1);
	for (uint32_t f = 0xb; f <= 0x1f; f += 0x1f - 0xb) {
		ck_assert_uint_eq(find(t, f, 0)->ebx, 1);
		ck_assert_uint_eq((find(t, f, 0)->ecx >> 8) & 0xff, 1);
		ck_assert_uint_eq(find(t, f, 1)->eax & 0x1f, topo[_i].bits);
		ck_assert_uint_eq(find(t, f, 1)->ebx, nr);
		ck_assert_uint_eq((find(t, f, 1)->ecx >> 8) & 0xff, 2);
		ck_assert_uint_eq(find(t, f, 1)->edx, id);
		ck_assert_uint_eq((find(t, f, 2)->ecx >> 8) & 0xff, 0);
	}
	ck_assert_uint_eq(find(t, 0x80000008, 0)->ecx & 0xff, nr - 1);
	ck_assert_uint_eq((find(t, 0x80000008, 0)->ecx >> 12) & 0xf,
			  topo[_i].bits);
	ck_assert_uint_eq(find(t, 0x8000001e, 0)->eax, id);
	/* untouched leaves stay as KVM gave them */
	ck_assert_uint_eq(find(t, 0, 0)->eax, 0xffffffff);
	free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cpuid");
	TCase *tc = tcase_create("cpuid");

	tcase_add_loop_test(tc, test_topology_table, 0,
			    sizeof(topo) / sizeof(topo[0]));
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
