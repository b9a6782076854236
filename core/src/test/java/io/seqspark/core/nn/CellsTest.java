package io.seqspark.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The recurrent factory builds each cell with the parameter blocks, names and order the model archives record
 * (a saved model's flat buffer is read back by this layout).
 */
class CellsTest {
  private static Map<String, String> layout(String cell, int in, int hidden) {
    ParamStore.Builder pb = ParamStore.builder();
    Recurrent layer = Cells.recurrent(cell, pb, cell + "0", in, hidden, Init.uniform(0.1), DataType.DOUBLE);
    assertEquals(in, layer.inputSize());
    assertEquals(hidden, layer.outputSize());
    Map<String, String> out = new LinkedHashMap<>();
    pb.build(DataType.DOUBLE, 1).layout().forEach((k, v) -> out.put(k, java.util.Arrays.toString(v)));
    return out;
  }

  @Test
  void eachCell_hasItsClassAndParameterLayout() {
    assertEquals(Map.of("lstm0.Wx", "[3, 20]", "lstm0.Wh", "[5, 20]", "lstm0.b", "[1, 20]"), layout("lstm", 3, 5));
    assertEquals("[lstm0.Wx, lstm0.Wh, lstm0.b]", layout("lstm", 3, 5).keySet().toString());
    assertEquals("{gru0.Wx=[3, 15], gru0.Wh=[5, 10], gru0.b=[1, 15], gru0.Ws=[5, 5]}", layout("gru", 3, 5).toString());
    assertEquals("{rnn0.Wx=[3, 5], rnn0.Wh=[5, 5], rnn0.b=[1, 5]}", layout("rnn", 3, 5).toString());
    ParamStore.Builder pb = ParamStore.builder();
    assertInstanceOf(Lstm.class, Cells.recurrent("lstm", pb, "a", 1, 1, Init.zeros(), DataType.FLOAT));
    assertInstanceOf(Gru.class, Cells.recurrent("gru", pb, "b", 1, 1, Init.zeros(), DataType.FLOAT));
    assertInstanceOf(ElmanRnn.class, Cells.recurrent("rnn", pb, "c", 1, 1, Init.zeros(), DataType.FLOAT));
    assertEquals(2, Cells.recurrent("lstm", pb, "d", 1, 1, Init.zeros(), DataType.FLOAT).stateSize());
  }

  @Test
  void unknownCell_failsNamingTheCellTheLayerAndTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Cells.recurrent("tcn", ParamStore.builder(), "enc0", 2, 3, Init.zeros(), DataType.FLOAT));
    assertTrue(e.getMessage().contains("'tcn'") && e.getMessage().contains("enc0")
        && e.getMessage().contains("lstm, gru, rnn"), e.getMessage());
  }
}
