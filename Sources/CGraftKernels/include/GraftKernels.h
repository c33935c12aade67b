#ifndef GRAFT_KERNELS_H
#define GRAFT_KERNELS_H

// Graft's own CPU kernels, for the few cases where oneDNN 2.6 is slow.

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction sets a kernel can be compiled for; each one implies the ones below it.
typedef enum {
    GRAFT_ISA_BASELINE = 0,  // x86-64 (SSE2)
    GRAFT_ISA_AVX2 = 1,      // AVX2 with FMA
    GRAFT_ISA_AVX512 = 2,    // AVX-512F
} graft_isa;

/// The best instruction set this CPU (and OS) supports.
graft_isa graft_best_isa(void);

/// One depthwise convolution (groups == channels, one filter per channel) whose activations are
/// channel-blocked: nChw8c or nChw16c, element (n, c, h, w) at
/// (((n * blocks + c / block) * height + h) * width + w) * block + c % block, padded channels zero.
typedef struct {
    int batch, channels, block;       // block: 8 or 16
    int height, width;                // of the input
    int out_height, out_width;        // of the output gradient
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    int dilation_h, dilation_w;       // 1 = no gaps
    int pad_top, pad_left;            // bottom and right padding follow from the output size
    int with_bias;                    // nonzero: also sum the output gradient per channel
} graft_dw_problem;

// The weight gradient is split into work units (a channel block times a range of images) that
// can run on any threads in any order: each writes only its own partial sums, and
// graft_dw_finish adds them in a fixed order, so the result does not depend on the scheduling.

/// Number of work units.
int graft_dw_unit_count(const graft_dw_problem *problem);

/// Floats of scratch space each unit writes; unit u uses [u * floats, (u + 1) * floats).
int graft_dw_unit_floats(const graft_dw_problem *problem);

/// Computes one unit's partial sums. `src` is the forward input, `dy` the gradient of the output,
/// both in the same blocked layout. `isa` above graft_best_isa() is lowered to it.
void graft_dw_run_unit(const graft_dw_problem *problem, graft_isa isa, const float *src, const float *dy,
                       int unit, float *scratch);

/// Adds up the units' partial sums into the weight gradient, plain (channels, 1, kernel_h, kernel_w),
/// and, when the problem has a bias, the bias gradient (channels).
void graft_dw_finish(const graft_dw_problem *problem, const float *scratch, float *dweights, float *dbias);

#ifdef __cplusplus
}
#endif

#endif
