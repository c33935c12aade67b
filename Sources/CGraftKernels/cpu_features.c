#include "GraftKernels.h"

graft_isa graft_best_isa(void) {
    // The runtime's CPU model is filled in by a constructor; initializing again is cheap and makes
    // this safe to call from other constructors.
    __builtin_cpu_init();
    // These also check that the OS saves the wider registers (XCR0), not only the CPUID bits.
    if (__builtin_cpu_supports("avx512f")) return GRAFT_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return GRAFT_ISA_AVX2;
    return GRAFT_ISA_BASELINE;
}
