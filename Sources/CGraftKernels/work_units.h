#ifndef GRAFT_WORK_UNITS_H
#define GRAFT_WORK_UNITS_H

// How Graft's kernels split a channel-blocked tensor into work units: one channel block times a
// range of images. The split depends on the shape only, never on the machine's core count, so
// partial sums added per unit in unit order round the same everywhere.

#include "GraftKernels.h"

/// The channel block and images [n_first, n_end) of one unit.
typedef struct {
    int block, n_first, n_end;
} graft_work_unit;

/// Image chunks per channel block: enough that there are at least `minimum_units` units in all
/// (so that a few cores share the work evenly when there are few channel blocks), at most one
/// chunk per image.
static inline int graft_image_chunks(int channel_blocks, int batch, int minimum_units) {
    const int wanted = (minimum_units + channel_blocks - 1) / channel_blocks;
    const int chunks = wanted > 1 ? wanted : 1;
    return batch < chunks ? batch : chunks;
}

/// Unit `unit` of a split into `chunks` image chunks per channel block.
static inline graft_work_unit graft_work_unit_at(int unit, int chunks, int batch) {
    const int chunk = unit % chunks;
    return (graft_work_unit){
        .block = unit / chunks,
        .n_first = (int)((long)batch * chunk / chunks),
        .n_end = (int)((long)batch * (chunk + 1) / chunks),
    };
}

/// `isa` lowered to what this CPU supports.
static inline graft_isa graft_usable_isa(graft_isa isa) {
    const graft_isa best = graft_best_isa();
    return isa > best ? best : isa;
}

#endif
