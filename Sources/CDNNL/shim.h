#ifndef GRAFT_CDNNL_SHIM_H
#define GRAFT_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>

// libdnnl on Debian is built with OpenMP (libgomp); these are enough to steer its threads.
extern void omp_set_num_threads(int num_threads);
extern int omp_get_max_threads(void);
#endif
