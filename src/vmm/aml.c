/* aml: placeholder for the AML byte-code writer (see aml.h). */
#include "aml.h"
