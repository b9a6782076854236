/**
 * Decoding from trained models over one small interface, {@link io.seqspark.core.decode.IncrementalDecoder}: a model
 * bound to its context (a language model's prefixes, a translation model's encoded sources) that turns the
 * last token of every hypothesis into next-token log-probabilities and can keep, copy or drop hypotheses between
 * steps. {@link io.seqspark.core.decode.Sampler} does greedy decoding and temperature / top-k sampling,
 * {@link io.seqspark.core.decode.BeamSearch} a batched beam search with GNMT's length penalty and n-best lists
 * (each hypothesis carrying its attention rows when the decoder reports them, for unknown-word replacement);
 * {@link io.seqspark.core.decode.LanguageModelDecoder} adapts a {@link io.seqspark.core.model.LanguageModel},
 * {@link io.seqspark.core.decode.Seq2SeqDecoder} a {@link io.seqspark.core.model.Seq2Seq} translation model.
 */
package io.seqspark.core.decode;
