#include "GraftKernels.h"
void graft_kernels_placeholder(void) {}
