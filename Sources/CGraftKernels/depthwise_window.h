#ifndef GRAFT_DEPTHWISE_WINDOW_H
#define GRAFT_DEPTHWISE_WINDOW_H

// Index arithmetic shared by the depthwise kernels of every block width.

#include "GraftKernels.h"

static inline int min_int(int a, int b) { return a < b ? a : b; }
static inline int max_int(int a, int b) { return a > b ? a : b; }

/// Whether kernel row i, for output row oh, reads a row of the input rather than padding.
static inline int row_inside(const graft_dw_problem *p, int oh, int i) {
    const int ih = oh * p->stride_h + i * p->dilation_h - p->pad_top;
    return 0 <= ih && ih < p->height;
}

/// Pixels in a row of the padded copy of the input: the left padding, the row, and enough right
/// padding for the last output column's rightmost tap.
static inline int padded_row_pixels(const graft_dw_problem *p) {
    const int reach = (p->out_width - 1) * p->stride_w + (p->kernel_w - 1) * p->dilation_w + 1;
    return max_int(p->pad_left + p->width, reach);
}

#endif
