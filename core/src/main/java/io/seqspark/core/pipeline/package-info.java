/**
 * Declared pretraining pipelines ({@code seqspark pipeline run | plan | status}): a HOCON file of named stages, each a
 * seqspark job whose inputs are files or the outputs of earlier stages. This package is the engine and holds no Spark:
 * it parses and checks the stage graph ({@link PipelineSpec}), fingerprints each stage from its resolved config, its
 * inputs' content, its upstream stages' fingerprints and the seqspark version ({@link Fingerprint}), decides what runs
 * and says why ({@link Planner}), and keeps the versioned, atomically published outputs in the pipeline directory
 * ({@link PipelineDirectory}). The jobs module runs the stages.
 */
package io.seqspark.core.pipeline;
