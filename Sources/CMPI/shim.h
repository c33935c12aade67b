#include <mpi.h>

// Open MPI's predefined handles are macros over library globals that Swift cannot import.
static inline MPI_Comm graft_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype graft_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype graft_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype graft_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype graft_mpi_int(void) { return MPI_INT; }
static inline MPI_Op graft_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Request graft_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline void *graft_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *graft_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status *graft_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
// Errors come back as return codes (turned into Swift errors) instead of aborting the job.
static inline int graft_mpi_errors_return(void) { return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN); }
static inline MPI_Info graft_mpi_info_null(void) { return MPI_INFO_NULL; }
