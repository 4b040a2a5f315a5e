/* The pass on the baseline ISA (4 Float32 lanes: SSE2 on x86-64, NEON on arm64):
   correct everywhere, the fallback of dispatch.c. */
#define IRSL_W 4
#define SWEEP_NAME irsl_sweep_base
#define SPECIAL_NAME irsl_special_base
#include "sweep_body.h"
