#include <hdf5.h>

// HDF5's predefined types are macros over library globals that Swift cannot import.
static inline hid_t graft_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t graft_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t graft_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t graft_h5s_all(void) { return H5S_ALL; }
static inline hid_t graft_h5f_open_read_only(const char *path) { return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); }
// Failures are reported as Swift errors; HDF5's own stack printout on stderr would only confuse.
static inline void graft_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
