/* aml: placeholder for the AML byte-code writer (ACPI 6.5 §20). */
#ifndef VMM_AML_H
#define VMM_AML_H
#endif
