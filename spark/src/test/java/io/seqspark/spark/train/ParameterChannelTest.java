package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqspark.spark.train.ChannelLink.Security;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The parameter channel's faults and security without Spark: stalled peers on either end are cut off after the
 * timeout, an authenticated channel refuses a peer without the key, and a sealed channel puts no parameter bytes on
 * the wire (a recording proxy sits between the two ends; the clear channel, through the same proxy, shows them).
 */
class ParameterChannelTest {
  private static final long TIMEOUT_MILLIS = 1000;
  /** A generous bound that only a blocked-forever peer exceeds; not a performance assertion. */
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final byte[] KEY = ChannelLink.channelKey("the application's secret");

  private static INDArray pattern(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return Nd4j.createFromArray(f);
  }

  private static INDArray zeros(int n) {
    return Nd4j.create(DataType.FLOAT, n);
  }

  private static ParameterChannel channel(Security security) {
    return new ParameterChannel("127.0.0.1", 0, TIMEOUT_MILLIS, security, security == Security.NONE ? null : KEY);
  }

  @Test
  void silentDriver_failsTheGetWithinTheTimeout_namingThePeerTheOperationAndTheKey() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      ParameterChannel.Address at = new ParameterChannel.Address("127.0.0.1", silent.getLocalPort(), 7, TIMEOUT_MILLIS,
          Security.NONE);
      IllegalStateException e = assertTimeoutPreemptively(BOUND, () -> assertThrows(IllegalStateException.class,
          () -> ParameterChannel.get(at, 3, zeros(4), zeros(0))));
      assertTrue(e.getMessage().contains("GET of round 3") && e.getMessage().contains("127.0.0.1:" + silent.getLocalPort())
          && e.getMessage().contains("spark.channelTimeoutSeconds = 1"), e.getMessage());
    }
  }

  @Test
  void silentPeer_isDisconnectedByTheDriverAfterTheTimeout() throws Exception {
    try (ParameterChannel ch = channel(Security.NONE); Socket s = new Socket("127.0.0.1", ch.address().port())) {
      int read = assertTimeoutPreemptively(BOUND, () -> s.getInputStream().read());
      assertEquals(-1, read, "the driver closed the connection");
      awaitStalled(ch, 1);
    }
  }

  @Test
  void putStalledAfterItsHeader_isDroppedAndStoresNothing() throws Exception {
    try (ParameterChannel ch = channel(Security.NONE); Socket s = new Socket("127.0.0.1", ch.address().port())) {
      ch.publish(5, pattern(8, 1), zeros(0));
      ByteBuffer head = ByteBuffer.allocate(33).putLong(ch.address().token()).put((byte) 2).putLong(5)
          .putInt(0).putInt(0).putInt(8).putInt(0);
      s.getOutputStream().write(head.array());
      s.getOutputStream().write(new byte[12]); // 3 of the 8 floats, then nothing
      assertEquals(-1, (int) assertTimeoutPreemptively(BOUND, () -> s.getInputStream().read()));
      awaitStalled(ch, 1);
      assertNull(ch.upload(0, 0), "no upload from the stalled attempt");
    }
  }

  @Test
  void authenticatedAndSealedChannels_moveTheValuesExactly() {
    for (Security security : Security.values()) {
      try (ParameterChannel ch = channel(security)) {
        INDArray params = pattern(300_000, 2);
        INDArray opt = pattern(1000, 3);
        ch.publish(11, params, opt);
        INDArray p = zeros(300_000);
        INDArray o = zeros(1000);
        ParameterChannel.get(ch.address(), KEY, 11, p, o);
        assertEquals(params, p, security.toString());
        assertEquals(opt, o, security.toString());
        ParameterChannel.Address at = ch.address();
        // put derives the key from Spark's secret; here the key is the test's, so upload through a NONE address
        if (security == Security.NONE) {
          ParameterChannel.put(at, 11, 1, 0, p.mul(2), o);
          assertArrayEquals(params.mul(2).toFloatVector(), ch.upload(1, 0)[0]);
        }
        assertEquals(0, ch.refusedPeers());
      }
    }
  }

  @Test
  void authenticatedChannel_refusesAClientWithoutTheSecret() throws Exception {
    for (Security security : new Security[] {Security.AUTHENTICATE, Security.ENCRYPT}) {
      try (ParameterChannel ch = channel(security)) {
        ch.publish(4, pattern(100, 4), zeros(0));
        // a peer that answers the challenge without the key: refused, nothing sent back after the challenge
        try (Socket s = new Socket("127.0.0.1", ch.address().port())) {
          s.getOutputStream().write(new byte[16]);
          byte[] challenge = s.getInputStream().readNBytes(48);
          assertEquals(48, challenge.length);
          byte[] guess = new byte[32];
          new SplittableRandom(1).nextBytes(guess);
          s.getOutputStream().write(guess);
          s.getOutputStream().write(ByteBuffer.allocate(17).putLong(ch.address().token()).put((byte) 1).putLong(4).array());
          byte[] rest = assertTimeoutPreemptively(BOUND, () -> drain(s));
          assertEquals(0, rest.length, "no values for a peer without the secret");
        }
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (ch.refusedPeers() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertEquals(1, ch.refusedPeers(), security + ": the driver refused the peer");
        // our own client holding another key: the driver fails its proof, and the client stops there
        INDArray got = zeros(100);
        byte[] wrong = ChannelLink.channelKey("a guess");
        IllegalStateException e = assertTimeoutPreemptively(BOUND, () -> assertThrows(IllegalStateException.class,
            () -> ParameterChannel.get(ch.address(), wrong, 4, got, zeros(0))));
        assertTrue(e.getMessage().contains("GET") && e.getMessage().contains("did not prove"), e.getMessage());
        assertEquals(zeros(100), got, "nothing received");
        // a client that skips the handshake (the clear protocol: token, GET, round) gets nothing either
        try (Socket s = new Socket("127.0.0.1", ch.address().port())) {
          s.getOutputStream().write(ByteBuffer.allocate(17).putLong(ch.address().token()).put((byte) 1).putLong(4).array());
          byte[] answer = assertTimeoutPreemptively(BOUND, () -> drain(s));
          assertTrue(answer.length <= 48, "at most the server's nonce and proof, no values: " + answer.length + " bytes");
        }
      }
    }
  }

  @Test
  void sealedChannel_putsNoParameterBytesOnTheWire_whileTheClearOneDoes() throws Exception {
    INDArray params = pattern(50_000, 5);
    byte[] needle = Arrays.copyOfRange(littleEndian(params), 4000, 4064); // 16 floats from the middle
    for (Security security : Security.values()) {
      try (ParameterChannel ch = channel(security); RecordingProxy proxy = new RecordingProxy(ch.address().port())) {
        ch.publish(8, params, zeros(0));
        ParameterChannel.Address via = new ParameterChannel.Address("127.0.0.1", proxy.port(), ch.address().token(),
            TIMEOUT_MILLIS, security);
        INDArray got = zeros(50_000);
        ParameterChannel.get(via, KEY, 8, got, zeros(0));
        assertEquals(params, got);
        byte[] wire = proxy.fromServer();
        assertTrue(wire.length >= 4 * 50_000, "the proxy saw the transfer: " + wire.length + " bytes");
        assertEquals(security != Security.ENCRYPT, RecordingProxy.contains(wire, needle),
            security + ": parameter bytes " + (security == Security.ENCRYPT ? "absent from" : "present on") + " the wire");
      }
    }
  }

  @Test
  void securityAskedForWithoutASparkSecret_opensNoChannel_soParametersGoThroughSpark() {
    // outside a SparkContext there is no SecurityManager, hence no secret (Spark itself refuses crypto without
    // spark.authenticate, and gives every JVM of an authenticated application its secret)
    assertNull(org.apache.spark.SparkEnv.get());
    org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf(false).set("spark.driver.host", "127.0.0.1");
    assertNull(ParameterChannel.open(conf.clone().set("spark.authenticate", "true"), 0, 5));
    assertNull(ParameterChannel.open(conf.clone().set("spark.network.crypto.enabled", "true"), 0, 5));
    try (ParameterChannel clear = ParameterChannel.open(conf, 0, 5)) {
      assertEquals(Security.NONE, clear.address().security());
      assertEquals(5000, clear.address().timeoutMillis());
    }
  }

  /** What {@code s} receives until the peer closes (or resets) the connection. */
  private static byte[] drain(Socket s) {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      int n;
      while ((n = s.getInputStream().read(buf)) > 0) {
        got.write(buf, 0, n);
      }
    } catch (IOException e) {
      // reset: the peer closed with our bytes unread
    }
    return got.toByteArray();
  }

  private static void awaitStalled(ParameterChannel ch, int n) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (ch.stalledPeers() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(n, ch.stalledPeers(), "connections the driver closed as stalled");
  }

  private static byte[] littleEndian(INDArray a) {
    float[] f = a.toFloatVector();
    ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(f);
    return b.array();
  }

}
