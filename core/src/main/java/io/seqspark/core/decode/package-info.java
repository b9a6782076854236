/** Decoding from trained models: greedy and temperature sampling from language models. */
package io.seqspark.core.decode;
