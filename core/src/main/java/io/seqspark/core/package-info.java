/** seqspark's model core: data, layers over one flat parameter buffer, the training step, decoding, evaluation. */
package io.seqspark.core;
