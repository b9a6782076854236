package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.spark.train.ChannelLink.Security;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The parameter channel under Spark's security settings, on a real SparkContext: with {@code spark.authenticate} it
 * authenticates with Spark's own secret (training works and equals an unsecured run; a peer without the secret gets
 * nothing), and with {@code spark.network.crypto.enabled} too it seals the payload (no parameter bytes on the wire).
 */
class ChannelSecurityIT {
  @TempDir
  static Path dir;

  @BeforeAll
  static void corpus() throws IOException {
    SparkTrainingIT.corpusIn(dir);
  }

  private static final Map<String, String> AUTHENTICATE = Map.of("spark.authenticate", "true");
  private static final Map<String, String> ENCRYPT = Map.of("spark.authenticate", "true",
      "spark.network.crypto.enabled", "true");

  private static double[] plain() throws IOException {
    Path run = dir.resolve("plain");
    if (!run.resolve("model.zip").toFile().exists()) {
      SparkTrainingIT.withSpark("local[2]", Map.of(), sc -> SparkTrainingIT.train(sc, run, false, SparkTrainingIT.sets()));
    }
    return SparkTrainingIT.params(run);
  }

  private static INDArray pattern(int n) {
    SplittableRandom r = new SplittableRandom(12);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return Nd4j.createFromArray(f);
  }

  @Test
  void authenticate_trainsAsWithout_andRefusesAPeerWithoutSparksSecret() throws IOException {
    SparkTrainingIT.withSpark("local[2]", AUTHENTICATE, sc -> {
      try (ParameterChannel ch = ParameterChannel.open(sc.getConf(), 0, 5)) {
        assertEquals(Security.AUTHENTICATE, ch.address().security());
        INDArray values = pattern(1000);
        ch.publish(3, values, Nd4j.create(DataType.FLOAT, 0));
        INDArray got = Nd4j.create(DataType.FLOAT, 1000);
        ParameterChannel.get(ch.address(), 3, got, Nd4j.create(DataType.FLOAT, 0)); // the key from Spark's secret
        assertEquals(values, got);
        // a peer that knows the token (it read a broadcast) but not the secret: answers the challenge with a guess
        try (Socket s = new Socket("127.0.0.1", ch.address().port())) {
          s.getOutputStream().write(new byte[16]);
          assertEquals(48, s.getInputStream().readNBytes(48).length);
          s.getOutputStream().write(new byte[32]);
          s.getOutputStream().write(ByteBuffer.allocate(17).putLong(ch.address().token()).put((byte) 1).putLong(3).array());
          assertEquals(-1, readOrReset(s), "no values for a peer without the secret");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        awaitRefused(ch);
        byte[] otherSecret = ChannelLink.channelKey("another application's secret");
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> ParameterChannel.get(ch.address(), otherSecret, 3, got, Nd4j.create(DataType.FLOAT, 0)));
        assertTrue(e.getMessage().contains("did not prove it holds"), e.getMessage());
      }
      return SparkTrainingIT.train(sc, dir.resolve("authenticated"), false, SparkTrainingIT.sets());
    });
    SparkTrainingIT.assertBitIdentical(plain(), SparkTrainingIT.params(dir.resolve("authenticated")));
  }

  @Test
  void crypto_sealsThePayload_andTrainsAsWithout() throws IOException {
    SparkTrainingIT.withSpark("local[2]", ENCRYPT, sc -> {
      try (ParameterChannel ch = ParameterChannel.open(sc.getConf(), 0, 5);
           RecordingProxy proxy = new RecordingProxy(ch.address().port())) {
        assertEquals(Security.ENCRYPT, ch.address().security());
        INDArray values = pattern(20_000);
        ch.publish(4, values, Nd4j.create(DataType.FLOAT, 0));
        ParameterChannel.Address via = new ParameterChannel.Address("127.0.0.1", proxy.port(), ch.address().token(),
            ch.address().timeoutMillis(), ch.address().security());
        INDArray got = Nd4j.create(DataType.FLOAT, 20_000);
        ParameterChannel.get(via, 4, got, Nd4j.create(DataType.FLOAT, 0));
        assertEquals(values, got);
        byte[] wire = proxy.fromServer();
        assertTrue(wire.length > 80_000, "the transfer passed the proxy: " + wire.length + " bytes");
        byte[] floats = littleEndian(values);
        for (int at : new int[] {0, 40_000, 79_936}) {
          assertFalse(RecordingProxy.contains(wire, Arrays.copyOfRange(floats, at, at + 64)),
              "parameter bytes at " + at + " on the wire");
        }
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return SparkTrainingIT.train(sc, dir.resolve("sealed"), false, SparkTrainingIT.sets());
    });
    SparkTrainingIT.assertBitIdentical(plain(), SparkTrainingIT.params(dir.resolve("sealed")));
  }

  private static int readOrReset(Socket s) {
    try {
      return s.getInputStream().read();
    } catch (IOException e) {
      return -1; // reset: the driver closed with our request unread
    }
  }

  private static void awaitRefused(ParameterChannel ch) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (ch.refusedPeers() == 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertEquals(1, ch.refusedPeers(), "the driver refused the peer");
  }

  private static byte[] littleEndian(INDArray a) {
    float[] f = a.toFloatVector();
    ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(f);
    return b.array();
  }
}
