/*
 * CHDF5 shim: HDF5 names its property-list classes, predefined types and
 * special values with macros that expand to global variables behind H5open(),
 * which Swift's importer cannot see. Each one Store needs is re-exported here
 * as a static inline function, so the Swift side never hard-codes an id.
 */
#ifndef IRSL_CHDF5_SHIM_H
#define IRSL_CHDF5_SHIM_H

#include <hdf5.h>
#include <string.h>

/* Library start-up: open the library and silence the automatic error-stack
 * printer, because Store turns every failure into a StoreError itself.
 * H5dont_atexit: no library shutdown at process exit. When a close fails
 * (a full disk while flushing), libhdf5 1.10 keeps the half-closed file and
 * its exit handler dereferences it again and segfaults (`irsl simulate` to a
 * full disk crashed this way, exit 139). Every file irsl writes is closed
 * explicitly, so there is nothing for the exit handler to do. */
static inline void irsl_h5_init(void) {
    H5dont_atexit();
    H5open();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* Special ids and sizes. */
static inline hid_t irsl_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t irsl_h5s_all(void) { return H5S_ALL; }
static inline size_t irsl_h5t_variable(void) { return H5T_VARIABLE; }

/* File access flags. */
static inline unsigned irsl_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned irsl_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned irsl_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }

/* Property-list classes. */
static inline hid_t irsl_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t irsl_h5p_dataset_access(void) { return H5P_DATASET_ACCESS; }
static inline hid_t irsl_h5p_link_create(void) { return H5P_LINK_CREATE; }

/* Memory (native) types. */
static inline hid_t irsl_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t irsl_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t irsl_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t irsl_h5t_native_int64(void) { return H5T_NATIVE_INT64; }

/* File types: explicit little-endian IEEE / two's complement, so files are
 * byte-identical whichever machine wrote them. */
static inline hid_t irsl_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t irsl_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t irsl_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t irsl_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t irsl_h5t_c_s1(void) { return H5T_C_S1; }

/* A file-access property list (caller closes it). Where the library supports
 * it (1.10.7+, 1.12.1+), file locking is best effort: kept where the file
 * system supports it, skipped where it does not (common on cluster file
 * systems, where a hard failure would stop every MPI rank). The
 * HDF5_USE_FILE_LOCKING environment variable still overrides this. */
static inline hid_t irsl_h5_file_access_plist(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
#if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7) || H5_VERSION_GE(1, 12, 1)
    if (fapl >= 0) H5Pset_file_locking(fapl, 1, 1);
#endif
    return fapl;
}

/* Frees the strings HDF5 allocated while reading variable-length data.
 * H5Dvlen_reclaim was renamed H5Treclaim in 1.12. */
static inline herr_t irsl_h5_reclaim_vlen(hid_t type, hid_t space, void *buf) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

/* Error-stack capture: copies the description of the innermost error (the
 * most specific one) into buf, so a StoreError can say what HDF5 saw. */
typedef struct {
    char *buf;
    size_t len;
    int done;
} irsl_h5_error_context;

static inline herr_t irsl_h5_error_walker(unsigned n, const H5E_error2_t *err, void *data) {
    irsl_h5_error_context *ctx = (irsl_h5_error_context *)data;
    (void)n;
    if (!ctx->done && err != NULL && err->desc != NULL && err->desc[0] != '\0') {
        strncpy(ctx->buf, err->desc, ctx->len - 1);
        ctx->buf[ctx->len - 1] = '\0';
        ctx->done = 1;
    }
    return 0;
}

/* Fills buf with the innermost message of the current error stack ("" if
 * empty) and clears the stack. */
static inline void irsl_h5_last_error(char *buf, size_t len) {
    irsl_h5_error_context ctx;
    if (buf == NULL || len == 0) return;
    buf[0] = '\0';
    ctx.buf = buf;
    ctx.len = len;
    ctx.done = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, irsl_h5_error_walker, &ctx);
    H5Eclear2(H5E_DEFAULT);
}

/* Extendible datasets (ingest appends models and items to existing files):
 * H5S_UNLIMITED is a cast macro Swift cannot import. */
static inline hsize_t irsl_h5s_unlimited(void) { return H5S_UNLIMITED; }

/* "No address" (an unallocated dataset or chunk): a cast macro. */
static inline haddr_t irsl_haddr_undef(void) { return HADDR_UNDEF; }

/* A file-access property list for files irsl creates: as irsl_h5_file_access_plist,
 * plus the newest file format the library knows (1.10: checksummed object headers,
 * B-tree v2 and fixed/extensible-array chunk indexes), so damaged metadata is
 * detected instead of misread. Caller closes it. */
static inline hid_t irsl_h5_create_access_plist(void) {
    hid_t fapl = irsl_h5_file_access_plist();
    if (fapl >= 0 && H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

#endif /* IRSL_CHDF5_SHIM_H */
