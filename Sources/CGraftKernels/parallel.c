#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include "GraftKernels.h"

// oneDNN runs its kernels on GNU OpenMP's threads, which spin for a while after each primitive
// waiting for the next. Work handed to other threads in between (Dispatch's) would share the
// cores with those spinning threads; handed to the same OpenMP team, it runs at full speed.
// libgomp is already loaded (oneDNN links it), so its entry points are looked up rather than
// linked: this is the call GCC emits for `#pragma omp parallel`, which clang cannot emit for
// libgomp.

typedef void (*gomp_parallel_function)(void (*)(void *), void *, unsigned, unsigned);
typedef int (*omp_query_function)(void);

static struct {
    gomp_parallel_function parallel;
    omp_query_function thread_number, thread_count, max_threads;
} gomp;
static pthread_once_t gomp_lookup_once = PTHREAD_ONCE_INIT;

static void look_up_gomp(void) {
    gomp_parallel_function parallel = (gomp_parallel_function)dlsym(RTLD_DEFAULT, "GOMP_parallel");
    omp_query_function number = (omp_query_function)dlsym(RTLD_DEFAULT, "omp_get_thread_num");
    omp_query_function count = (omp_query_function)dlsym(RTLD_DEFAULT, "omp_get_num_threads");
    omp_query_function most = (omp_query_function)dlsym(RTLD_DEFAULT, "omp_get_max_threads");
    if (parallel && number && count && most) {
        gomp.parallel = parallel;
        gomp.thread_number = number;
        gomp.thread_count = count;
        gomp.max_threads = most;
    }
}

typedef struct {
    int count;
    void (*body)(void *context, int index);
    void *context;
} parallel_job;

static void run_share(void *data) {
    const parallel_job *job = data;
    const int threads = gomp.thread_count();
    for (int i = gomp.thread_number(); i < job->count; i += threads) job->body(job->context, i);
}

void graft_parallel_for(int count, void (*body)(void *context, int index), void *context) {
    pthread_once(&gomp_lookup_once, look_up_gomp);
    if (!gomp.parallel || count < 2) {
        for (int i = 0; i < count; i++) body(context, i);
        return;
    }
    parallel_job job = {count, body, context};
    gomp.parallel(run_share, &job, 0, 0);
}

int graft_parallel_threads(void) {
    pthread_once(&gomp_lookup_once, look_up_gomp);
    const int threads = gomp.parallel ? gomp.max_threads() : 1;
    return threads > 1 ? threads : 1;
}
