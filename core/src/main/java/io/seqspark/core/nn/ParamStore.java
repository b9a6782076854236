package io.seqspark.core.nn;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * All parameters of a model in ONE flat buffer, and all gradients in a second buffer of the same layout.
 *
 * <p>Layers declare named blocks while the model is built ({@link Builder#add}); {@link Builder#build} allocates
 * the two buffers and binds every {@link ParamRef} to views of them. Saving, averaging across Spark workers,
 * clipping by global norm and the optimizer update are then single vector operations over {@link #params()}
 * and {@link #grads()}.
 */
public final class ParamStore {

  private final DataType dtype;
  private final INDArray params;
  private final INDArray grads;
  private final List<ParamRef> refs;

  private ParamStore(DataType dtype, INDArray params, INDArray grads, List<ParamRef> refs) {
    this.dtype = dtype;
    this.params = params;
    this.grads = grads;
    this.refs = refs;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Wraps flat parameter and gradient vectors owned by someone else (e.g. a DL4J network's views), as one block
   * named {@code name}, so the same TrainStep, optimizers and averaging work on them.
   */
  public static ParamStore wrap(String name, INDArray params, INDArray grads) {
    if (params.length() != grads.length()) {
      throw new IllegalArgumentException("parameters (" + params.length() + ") and gradients (" + grads.length()
          + ") must have the same length");
    }
    ParamRef ref = new ParamRef(name, new long[] {params.length()}, 0, params.length(), Init.zeros());
    ref.bindViews(params, grads);
    return new ParamStore(params.dataType(), params, grads, List.of(ref));
  }

  /** The flat parameter vector, shape [1, size]. */
  public INDArray params() {
    return params;
  }

  /** The flat gradient vector, same layout as {@link #params()}. */
  public INDArray grads() {
    return grads;
  }

  public long size() {
    return params.length();
  }

  public DataType dtype() {
    return dtype;
  }

  public List<ParamRef> refs() {
    return refs;
  }

  public void zeroGrads() {
    grads.assign(0);
  }

  /** Name → shape, in layout order: what a saved archive records so a reader can check it loads the right model. */
  public Map<String, long[]> layout() {
    Map<String, long[]> m = new LinkedHashMap<>();
    for (ParamRef r : refs) {
      m.put(r.name(), r.shape());
    }
    return m;
  }

  /**
   * Copies {@code values} into the parameters: straight into the flat buffer when it is a whole float32 buffer of
   * its own (no temporary array), else through {@link #setParams(INDArray)}.
   */
  public void setParams(float[] values) {
    if (values.length != params.length()) {
      throw new IllegalArgumentException("parameter vector has " + values.length + " values, this model needs "
          + params.length() + " (layout " + describe() + ")");
    }
    if (dtype == DataType.FLOAT && !params.isView() && params.data().length() == values.length) {
      params.data().setData(values);
    } else {
      setParams(Nd4j.createFromArray(values));
    }
  }

  /** Copies {@code values} (same length, any dtype) into the parameters. */
  public void setParams(INDArray values) {
    if (values.length() != params.length()) {
      throw new IllegalArgumentException("parameter vector has " + values.length() + " values, this model needs "
          + params.length() + " (layout " + describe() + ")");
    }
    params.assign(values.reshape(params.shape()).castTo(dtype));
  }

  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (ParamRef r : refs) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(r.name()).append(java.util.Arrays.toString(r.shape()));
    }
    return sb.toString();
  }

  /** Collects blocks, then allocates the two flat buffers once. */
  public static final class Builder {
    private final List<ParamRef> refs = new ArrayList<>();
    private long next;

    private Builder() {
    }

    /** Declares a block; its views are available after {@link #build}. Names must be unique. */
    public ParamRef add(String name, Init init, long... shape) {
      for (ParamRef r : refs) {
        if (r.name().equals(name)) {
          throw new IllegalArgumentException("duplicate parameter name " + name);
        }
      }
      long len = 1;
      for (long s : shape) {
        len *= s;
      }
      ParamRef ref = new ParamRef(name, shape.clone(), next, len, init);
      next += len;
      refs.add(ref);
      return ref;
    }

    /** Allocates parameters and gradients and draws the initial values from {@code seed}. */
    public ParamStore build(DataType dtype, long seed) {
      if (next == 0) {
        throw new IllegalStateException("no parameters were declared");
      }
      INDArray params = Nd4j.create(dtype, 1, next);
      INDArray grads = Nd4j.create(dtype, 1, next);
      for (ParamRef r : refs) {
        r.bind(params, grads);
        if (r.length() > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("parameter block " + r.name() + " has " + r.length()
              + " values; blocks are limited to 2^31-1");
        }
        double[] values = new double[(int) r.length()];
        r.init().fill(values, new SplittableRandom(seed ^ fnv(r.name())));
        r.value().assign(Nd4j.createFromArray(values).castTo(dtype).reshape(r.shape()));
      }
      return new ParamStore(dtype, params, grads, Collections.unmodifiableList(new ArrayList<>(refs)));
    }

    private static long fnv(String s) {
      long h = 0xcbf29ce484222325L;
      for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
        h = (h ^ b) * 0x100000001b3L;
      }
      return h;
    }
  }
}
