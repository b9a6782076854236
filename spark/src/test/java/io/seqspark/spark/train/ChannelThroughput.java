package io.seqspark.spark.train;

import io.seqspark.spark.train.ChannelLink.Security;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Measures what each {@link Security} level costs a parameter-channel transfer: an 18.6 MB payload (PTB-small's
 * 4.65M floats) from a server link into a native buffer over loopback, {@code reps} times, one connection each (as a
 * GET), printing MB/s per transfer, so the JIT's warm-up shows. Only the JDK is needed:
 * <pre>
 *   mvn -B -q -o -pl core,spark test-compile -DskipShade
 *   java -cp spark/target/classes:spark/target/test-classes io.seqspark.spark.train.ChannelThroughput ENCRYPT 20
 * </pre>
 */
final class ChannelThroughput {
  private ChannelThroughput() {
  }

  /** Arguments: security level (NONE, AUTHENTICATE, ENCRYPT), transfers (default 10). */
  public static void main(String[] args) throws Exception {
    Security security = Security.valueOf(args[0]);
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    byte[] key = ChannelLink.channelKey("measurement");
    byte[] payload = new byte[4 * 4_650_000];
    try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      Thread t = new Thread(() -> {
        try {
          while (true) {
            SocketChannel c = server.accept();
            try (ChannelLink link = ChannelLink.accepted(c, 60_000)) {
              if (security != Security.NONE) {
                link.serverHandshake(key, security);
              }
              link.writeFully(ByteBuffer.wrap(payload));
              link.readFully(1);
            }
          }
        } catch (Exception e) {
          // closed at the end
        }
      });
      t.setDaemon(true);
      t.start();
      int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
      ByteBuffer into = ByteBuffer.allocateDirect(payload.length);
      for (int i = 0; i < reps; i++) {
        long t0 = System.nanoTime();
        try (ChannelLink c = ChannelLink.connect("127.0.0.1", port, 60_000)) {
          if (security != Security.NONE) {
            c.clientHandshake(key, security);
          }
          into.clear();
          c.readFully(into);
          c.writeFully(ByteBuffer.wrap(new byte[1]));
        }
        System.out.printf("%s transfer %d: %.0f MB/s%n", security, i + 1, payload.length / 1e6 / ((System.nanoTime() - t0) / 1e9));
      }
    }
  }
}
