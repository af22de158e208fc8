/* boot_raw: load a flat real-mode binary (see boot_raw.h). */
#include "boot_raw.h"

#include <stdio.h>
#include <stdlib.h>

#include "gmem.h"
#include "kvm.h"
#include "layout.h"
#include "loadfile.h"
#include "vcpu.h"

/* Everything from 0x1000 up to the EBDA is free conventional memory. */
#define RAW_MAX_SIZE (LAYOUT_EBDA_GPA - LAYOUT_RAW_GPA)

int boot_raw_load(struct kvm_vm *vm, struct vcpu *boot_cpu, const char *path,
		  char *err, size_t err_len)
{
	uint8_t *image;
	size_t len;
	int ret = -1;

	if (loadfile_read("raw binary", path, RAW_MAX_SIZE, &image, &len, err,
			  err_len) < 0)
		return -1;
	if (gmem_write(&vm->mem, LAYOUT_RAW_GPA, image, len) < 0) {
		snprintf(err, err_len, "raw binary '%s': no RAM at %#llx", path,
			 LAYOUT_RAW_GPA);
		goto out_free;
	}
	if (vcpu_set_real_mode(boot_cpu, 0, (uint16_t)LAYOUT_RAW_GPA) < 0) {
		snprintf(err, err_len, "cannot set the vCPU's real-mode state");
		goto out_free;
	}
	ret = 0;
out_free:
	free(image);
	return ret;
}
