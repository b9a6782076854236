package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ParamStoreTest {

  @Test
  void setParamsFromFloatsWritesEveryBlockAndItsViews() {
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      ParamStore.Builder b = ParamStore.builder();
      ParamRef w = b.add("w", Init.uniform(0.1), 3, 4);
      ParamRef bias = b.add("b", Init.zeros(), 4);
      ParamStore store = b.build(dt, 1);
      float[] values = new float[16];
      for (int i = 0; i < values.length; i++) {
        values[i] = i * 0.25f - 1.5f;
      }
      store.setParams(values);
      assertArrayEquals(values, store.params().castTo(DataType.FLOAT).data().asFloat(), dt.toString());
      // the layers' views see the new values (same buffer, not a replaced one)
      float[] wExpect = java.util.Arrays.copyOf(values, 12);
      assertArrayEquals(wExpect, w.value().castTo(DataType.FLOAT).dup('c').data().asFloat(), dt + " w view");
      assertArrayEquals(java.util.Arrays.copyOfRange(values, 12, 16),
          bias.value().castTo(DataType.FLOAT).dup('c').data().asFloat(), dt + " b view");
      assertThrows(IllegalArgumentException.class, () -> store.setParams(new float[15]));
      // a view-backed store (wrap) takes the general path
      ParamStore wrapped = ParamStore.wrap("x", Nd4j.zeros(DataType.FLOAT, 1, 40).get(
          org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 24)),
          Nd4j.zeros(DataType.FLOAT, 1, 16));
      wrapped.setParams(values);
      assertArrayEquals(values, wrapped.params().dup('c').data().asFloat(), "wrapped view");
    }
  }
}
