#ifndef GRAFT_WINOGRAD_GEMM_H
#define GRAFT_WINOGRAD_GEMM_H

// The product at the heart of Winograd convolution: for one of the 36 transformed positions,
// M (tiles x output channels) = or += V (tiles x input channels) * U (input channels x output
// channels), in register blocks of up to 6 tiles by 16 output channels.
//
// 6 x 16 is what AVX2's 16 registers allow: 12 accumulators, 2 vectors of U and one broadcast of
// V. Each step then does 12 FMAs for 2 loads and 6 broadcasts, so the two FMA pipes stay busy.

#include <immintrin.h>

// Units read U in the order it is stored (winograd.c), so the line 8 KB ahead is the one needed
// soon. For the last stages U is larger than the caches and comes from memory; the hardware
// prefetchers alone leave the FMAs waiting (measured: 512 channels at 7x7, 6.1 ms -> 4.2 ms).
// Within the caches the prefetch costs a load slot and nothing measurable.
enum { wino_prefetch_floats = 2048 };

#define WINO_AVX2 __attribute__((target("avx2,fma")))
#define WINO_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

/// One register block: `rows` tiles (1 to 6) by `vectors` * 8 output channels (8 or 16), over
/// `depth` input channels. Tile r's inputs are at v + r * v_stride; U's rows are `vectors` * 8
/// floats each, one after the other; M's rows are m_stride floats apart. `accumulate`: add to M
/// rather than overwrite it (for the input-channel chunks after the first).
/// Called with constant rows and vectors, so that the accumulators become registers.
WINO_INLINE void wino_block(int rows, int vectors, int depth, const float *v, long v_stride, const float *u,
                            float *m, long m_stride, int accumulate) {
    __m256 acc[6][2];
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < vectors; c++)
            acc[r][c] = accumulate ? _mm256_loadu_ps(m + r * m_stride + 8 * c) : _mm256_setzero_ps();
    const int width = 8 * vectors;
    for (int k = 0; k < depth; k++) {
        _mm_prefetch((const char *)(u + (long)k * width + wino_prefetch_floats), _MM_HINT_T0);
        const __m256 u0 = _mm256_loadu_ps(u + (long)k * width);
        const __m256 u1 = vectors > 1 ? _mm256_loadu_ps(u + (long)k * width + 8) : u0;
        for (int r = 0; r < rows; r++) {
            const __m256 b = _mm256_broadcast_ss(v + r * v_stride + k);
            acc[r][0] = _mm256_fmadd_ps(b, u0, acc[r][0]);
            if (vectors > 1) acc[r][1] = _mm256_fmadd_ps(b, u1, acc[r][1]);
        }
    }
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < vectors; c++) _mm256_storeu_ps(m + r * m_stride + 8 * c, acc[r][c]);
}

#define WINO_BLOCK_CASE(rows, vectors) \
    case (rows) * 2 + (vectors) - 1: wino_block((rows), (vectors), depth, v, v_stride, u, m, m_stride, accumulate); break;

/// wino_block with rows and vectors known only at run time: one specialized copy per pair.
WINO_AVX2 __attribute__((noinline)) static void wino_gemm_block(int rows, int vectors, int depth, const float *v, long v_stride,
                                      const float *u, float *m, long m_stride, int accumulate) {
    switch (rows * 2 + vectors - 1) {
        WINO_BLOCK_CASE(6, 2) WINO_BLOCK_CASE(6, 1)
        WINO_BLOCK_CASE(5, 2) WINO_BLOCK_CASE(5, 1)
        WINO_BLOCK_CASE(4, 2) WINO_BLOCK_CASE(4, 1)
        WINO_BLOCK_CASE(3, 2) WINO_BLOCK_CASE(3, 1)
        WINO_BLOCK_CASE(2, 2) WINO_BLOCK_CASE(2, 1)
        WINO_BLOCK_CASE(1, 2) WINO_BLOCK_CASE(1, 1)
        default: break;
    }
}

#undef WINO_BLOCK_CASE

#endif
