void graft_kernels_placeholder(void);
