/**
 * Evaluation measures computed from counts that add up across batches and machines (confusion matrices), divided
 * only when reported.
 */
package io.seqspark.core.eval;
