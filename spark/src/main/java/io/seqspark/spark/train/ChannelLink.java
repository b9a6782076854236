package io.seqspark.spark.train;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One connection of the {@link ParameterChannel}, either end: every read and write gives up when the peer has moved
 * no byte for the channel's timeout (spark.channelTimeoutSeconds), and with Spark's security on, the connection is
 * authenticated and, if asked, sealed.
 *
 * <p>Authentication is an HMAC-SHA256 challenge-response over a nonce from each side, keyed by a key derived from
 * Spark's own secret ({@code SecurityManager.getSecretKey()}, the same on the driver and every executor of an
 * application with {@code spark.authenticate = true}): the client sends 16 random bytes {@code cn}, the server answers
 * {@code sn} and {@code HMAC(K, "S" | cn | sn)}, the client checks it and answers {@code HMAC(K, "C" | cn | sn)}. Each
 * side thus proves it holds the secret without sending it, and a recorded exchange is worthless for the next one.
 * Sealing (spark.network.crypto.enabled) encrypts everything after that with AES-128-GCM, one key per direction
 * ({@code HMAC(K, "c2s" | cn | sn)}, {@code HMAC(K, "s2c" | cn | sn)}, fresh per connection, so the frame counter is a
 * safe nonce), in frames of at most {@value #FRAME} plaintext bytes: {@code int length, ciphertext with its tag}. A
 * frame that was altered, reordered or cut fails its tag and ends the connection.
 */
final class ChannelLink implements Closeable {

  /** How a connection is protected (spark.authenticate, spark.network.crypto.enabled on the driver). */
  enum Security {
    /** Neither: the round token alone keeps stray clients out. */
    NONE,
    /** HMAC challenge-response on Spark's secret; the payload travels in the clear. */
    AUTHENTICATE,
    /** Authenticated and sealed with AES-GCM. */
    ENCRYPT
  }

  /** Plaintext bytes per sealed frame: large enough that per-frame costs vanish, small enough to stay in cache. */
  static final int FRAME = 1 << 18;
  private static final int NONCE = 16;
  private static final int MAC = 32;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SocketChannel socket;
  private final Selector selector;
  private final SelectionKey key;
  private final long timeoutMillis;
  private final String peer;
  private Cipher sealer;
  private Cipher opener;
  private SecretKeySpec sendKey;
  private SecretKeySpec receiveKey;
  private long sent;
  private long received;
  private ByteBuffer opened = ByteBuffer.allocate(0);
  private ByteBuffer frameOut;
  private ByteBuffer frameIn;

  private ChannelLink(SocketChannel socket, long timeoutMillis, String peer) throws IOException {
    this.socket = socket;
    this.timeoutMillis = timeoutMillis;
    this.peer = peer;
    socket.configureBlocking(false);
    socket.socket().setTcpNoDelay(true);
    selector = Selector.open();
    key = socket.register(selector, 0);
  }

  /** Connects to {@code host:port}, giving up after the timeout. */
  static ChannelLink connect(String host, int port, long timeoutMillis) throws IOException {
    SocketChannel c = SocketChannel.open();
    try {
      c.socket().connect(new InetSocketAddress(host, port), Math.toIntExact(timeoutMillis));
      return new ChannelLink(c, timeoutMillis, host + ":" + port);
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The server end of an accepted connection. */
  static ChannelLink accepted(SocketChannel c, long timeoutMillis) throws IOException {
    String peer;
    try {
      peer = String.valueOf(c.getRemoteAddress());
    } catch (IOException e) {
      peer = "a closed peer";
    }
    return new ChannelLink(c, timeoutMillis, peer);
  }

  /** The other end, as {@code host:port}, for messages. */
  String peer() {
    return peer;
  }

  // ------------------------------------------------------------------------------------------------ security

  /** The channel key from Spark's secret: {@code HMAC-SHA256(secret, "seqspark parameter channel")}. */
  static byte[] channelKey(String sparkSecret) {
    return hmac(sparkSecret.getBytes(StandardCharsets.UTF_8), "seqspark parameter channel".getBytes(StandardCharsets.UTF_8));
  }

  /** Client side of the handshake; then seals the link when {@code security} is ENCRYPT. */
  void clientHandshake(byte[] channelKey, Security security) throws IOException {
    byte[] cn = nonce();
    writeFully(ByteBuffer.wrap(cn));
    ByteBuffer answer = readFully(NONCE + MAC);
    byte[] sn = new byte[NONCE];
    byte[] serverMac = new byte[MAC];
    answer.get(sn).get(serverMac);
    if (!MessageDigest.isEqual(serverMac, hmac(channelKey, "S", cn, sn))) {
      throw new AuthenticationException("the parameter channel at " + peer + " did not prove it holds this"
          + " application's Spark secret (spark.authenticate = true): it is not this application's driver");
    }
    writeFully(ByteBuffer.wrap(hmac(channelKey, "C", cn, sn)));
    if (security == Security.ENCRYPT) {
      seal(hmac(channelKey, "c2s", cn, sn), hmac(channelKey, "s2c", cn, sn));
    }
  }

  /** Server side of the handshake; then seals the link when {@code security} is ENCRYPT. */
  void serverHandshake(byte[] channelKey, Security security) throws IOException {
    byte[] cn = new byte[NONCE];
    readFully(NONCE).get(cn);
    byte[] sn = nonce();
    writeFully(ByteBuffer.allocate(NONCE + MAC).put(sn).put(hmac(channelKey, "S", cn, sn)).flip());
    byte[] clientMac = new byte[MAC];
    readFully(MAC).get(clientMac);
    if (!MessageDigest.isEqual(clientMac, hmac(channelKey, "C", cn, sn))) {
      throw new AuthenticationException("refused a connection from " + peer + ": it does not hold this application's"
          + " Spark secret (spark.authenticate = true)");
    }
    if (security == Security.ENCRYPT) {
      seal(hmac(channelKey, "s2c", cn, sn), hmac(channelKey, "c2s", cn, sn));
    }
  }

  /** A peer that failed the challenge-response. */
  static final class AuthenticationException extends IOException {
    AuthenticationException(String message) {
      super(message);
    }
  }

  private void seal(byte[] send, byte[] receive) throws IOException {
    try {
      sendKey = new SecretKeySpec(send, 0, 16, "AES");
      receiveKey = new SecretKeySpec(receive, 0, 16, "AES");
      sealer = Cipher.getInstance("AES/GCM/NoPadding");
      opener = Cipher.getInstance("AES/GCM/NoPadding");
      frameOut = ByteBuffer.allocate(4 + FRAME + TAG_BITS / 8);
      frameIn = ByteBuffer.allocate(FRAME + TAG_BITS / 8);
      opened = ByteBuffer.allocate(FRAME).limit(0);
    } catch (GeneralSecurityException e) {
      throw new IOException("AES/GCM is not available in this JVM: " + e, e);
    }
  }

  private static byte[] nonce() {
    byte[] n = new byte[NONCE];
    RANDOM.nextBytes(n);
    return n;
  }

  private static byte[] hmac(byte[] key, String label, byte[]... parts) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      m.update(label.getBytes(StandardCharsets.US_ASCII));
      for (byte[] p : parts) {
        m.update(p);
      }
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  private static GCMParameterSpec iv(long counter) {
    byte[] iv = new byte[12];
    ByteBuffer.wrap(iv).putLong(4, counter);
    return new GCMParameterSpec(TAG_BITS, iv);
  }

  // ------------------------------------------------------------------------------------------------ transfer

  /** Reads exactly {@code n} bytes into a new heap buffer, flipped for reading. */
  ByteBuffer readFully(long n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n));
    readFully(b);
    return b.flip();
  }

  /** Fills {@code dst} (any buffer, heap or native) to its limit. */
  void readFully(ByteBuffer dst) throws IOException {
    if (opener == null) {
      readRaw(dst);
      return;
    }
    while (dst.hasRemaining()) {
      if (!opened.hasRemaining()) {
        openFrame();
      }
      int n = Math.min(dst.remaining(), opened.remaining());
      ByteBuffer slice = opened.slice().limit(n);
      dst.put(slice);
      opened.position(opened.position() + n);
    }
  }

  /** Writes all of {@code src} (any buffer, heap or native). */
  void writeFully(ByteBuffer src) throws IOException {
    if (sealer == null) {
      writeRaw(src);
      return;
    }
    while (src.hasRemaining()) {
      int n = Math.min(src.remaining(), FRAME);
      ByteBuffer chunk = src.slice().limit(n);
      src.position(src.position() + n);
      frameOut.clear().position(4);
      try {
        sealer.init(Cipher.ENCRYPT_MODE, sendKey, iv(sent++));
        int len = sealer.doFinal(chunk, frameOut);
        frameOut.putInt(0, len).flip();
      } catch (GeneralSecurityException e) {
        throw new IOException("could not seal a frame for " + peer + ": " + e, e);
      }
      writeRaw(frameOut);
    }
  }

  private void openFrame() throws IOException {
    int len = readRaw(ByteBuffer.allocate(4)).flip().getInt();
    if (len < TAG_BITS / 8 || len > frameIn.capacity()) {
      throw new IOException("a sealed frame from " + peer + " claims " + len + " bytes: the stream is corrupt");
    }
    frameIn.clear().limit(len);
    readRaw(frameIn);
    frameIn.flip();
    opened.clear();
    try {
      opener.init(Cipher.DECRYPT_MODE, receiveKey, iv(received++));
      opener.doFinal(frameIn, opened);
    } catch (GeneralSecurityException e) {
      throw new IOException("a sealed frame from " + peer + " failed its authentication tag (altered or out of"
          + " order): " + e, e);
    }
    opened.flip();
  }

  private ByteBuffer readRaw(ByteBuffer dst) throws IOException {
    while (dst.hasRemaining()) {
      int n = socket.read(dst);
      if (n < 0) {
        throw new EOFException("connection closed by " + peer + " after " + dst.position() + " of " + dst.limit()
            + " bytes");
      }
      if (n == 0) {
        await(SelectionKey.OP_READ, "sent nothing");
      }
    }
    return dst;
  }

  private void writeRaw(ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      if (socket.write(src) == 0) {
        await(SelectionKey.OP_WRITE, "took nothing");
      }
    }
  }

  /** Waits until the socket is ready for {@code op}; a peer idle for the whole timeout is a stalled peer. */
  private void await(int op, String what) throws IOException {
    key.interestOps(op);
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        throw new SocketTimeoutException(peer + " " + what + " for " + timeoutMillis / 1000.0 + " s");
      }
      if (selector.select(left) > 0) {
        selector.selectedKeys().clear();
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      selector.close();
    } finally {
      socket.close();
    }
  }
}
