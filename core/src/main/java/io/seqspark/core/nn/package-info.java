/**
 * The model core's layers. Every parameter and gradient is a view into one flat buffer ({@link
 * io.seqspark.core.nn.ParamStore}); sequence tensors are time-major [T*B, features] matrices whose step blocks are
 * contiguous, so BLAS reads and writes them in place. Recurrent layers run their cell arithmetic on the JVM heap
 * between per-step GEMMs (see docs/DECISIONS.md); they run a whole sequence per call, or one step at a time from a
 * {@link io.seqspark.core.nn.RecurrentState} for decoders, and {@link io.seqspark.core.nn.Cells} builds them by name.
 * Every layer is checked against finite differences in double precision.
 */
package io.seqspark.core.nn;
