/**
 * Turning text into batches: tokenizers ({@link io.seqspark.core.data.Tokenizer}), a frozen
 * {@link io.seqspark.core.data.Vocabulary} with reserved ids {@code <pad>=0, <unk>=1, <s>=2, </s>=3},
 * {@link io.seqspark.core.data.TextCorpus} for reading (optionally gzipped) UTF-8 files, and the two batching
 * regimes language models are trained in: {@link io.seqspark.core.data.TokenStreamBatcher} (one contiguous stream
 * cut into rows, truncated BPTT, how PTB results are published) and {@link io.seqspark.core.data.SentenceBatcher}
 * (independent sentences batched by {@link io.seqspark.core.data.LengthBucketing}'s token budget). Every batch is a
 * time-major padded {@link io.seqspark.core.data.Batch}; batching is deterministic given a seed and random-access,
 * so a resumed run can jump straight to batch k of epoch e. {@link io.seqspark.core.data.TokenShards} reads the
 * token-id shards {@code seqspark ingest} writes ({@link io.seqspark.core.data.TokenShardWriter}; format in
 * docs/FORMATS.md), lengths first, so bucketing needs no text. Examples of the other families travel as plain int
 * arrays too: {@link io.seqspark.core.data.Labelled} (tokens + class id) and {@link io.seqspark.core.data.Tagged}
 * (words + one tag per word, read from CoNLL-style files by {@link io.seqspark.core.data.TaggedCorpus}, tag ids from a
 * {@link io.seqspark.core.data.TagSet}). Nothing here depends on ND4J or Spark.
 */
package io.seqspark.core.data;
