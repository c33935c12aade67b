#include <cpuid.h>
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

int graft_avx512_runs_in_halves(void) {
    // AMD's family 0x19 is Zen 3 and Zen 4; of the two, only Zen 4 has AVX-512, which it executes
    // on 256-bit units, one half after the other. Zen 5 (family 0x1A) has full-width units.
    unsigned eax, ebx, ecx, edx;
    if (graft_best_isa() < GRAFT_ISA_AVX512 || !__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return 0;
    const int amd = ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163;  // "AuthenticAMD"
    if (!amd || !__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned base_family = (eax >> 8) & 0xf, extended_family = (eax >> 20) & 0xff;
    return base_family + (base_family == 0xf ? extended_family : 0) == 0x19;
}
