package io.seqspark.jobs;
public final class SeqSpark { public static void main(String[] a) {} }
