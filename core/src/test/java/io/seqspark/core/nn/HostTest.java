package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Host copies must honour a view's offset: ND4J gives views a buffer whose NIO view starts at the parent's start. */
class HostTest {
  @Test
  void readWriteAdd_onAnOffsetView_touchOnlyTheViewsElements() {
    for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray m = Nd4j.arange(0, 24).castTo(dt).reshape(6, 4);
      INDArray v = Views.rows(m, 2, 4);
      double[] got = new double[8];
      Host.of(v).read(0, got, 0, 8);
      assertArrayEquals(new double[] {8, 9, 10, 11, 12, 13, 14, 15}, got, 0.0, dt.toString());
      Host.of(v).add(4, new double[] {100, 100, 100, 100}, 0, 4);
      Host.of(v).write(0, new double[] {-1}, 0, 1);
      assertEquals(-1, m.getDouble(2, 0), 0.0);
      assertEquals(112, m.getDouble(3, 0), 0.0);
      assertEquals(7, m.getDouble(1, 3), 0.0, "the row before the view is untouched");
      assertEquals(16, m.getDouble(4, 0), 0.0, "the row after the view is untouched");
    }
  }
}
