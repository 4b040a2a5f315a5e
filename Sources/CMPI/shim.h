#ifndef IRSL_CMPI_SHIM_H
#define IRSL_CMPI_SHIM_H
/* OpenMPI's handles (MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM, MPI_IN_PLACE, ...)
   are macros over addresses of global structs, which Swift cannot import.
   These inline functions hand them to Swift as plain values. */
#include <mpi.h>

static inline MPI_Comm irsl_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype irsl_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype irsl_mpi_int(void) { return MPI_INT; }
static inline MPI_Datatype irsl_mpi_char(void) { return MPI_CHAR; }
static inline MPI_Op irsl_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op irsl_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op irsl_mpi_min(void) { return MPI_MIN; }
static inline void *irsl_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int irsl_mpi_success(void) { return MPI_SUCCESS; }

/* Errors abort the whole job by default; collectives return codes we check. */
static inline void irsl_mpi_errors_return(void) {
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}
#endif
