package io.seqspark.spark.train;

import io.seqspark.spark.train.ChannelLink.Security;
import java.io.Closeable;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves parameter vectors between the driver and the partitions as raw little-endian floats over one TCP socket per
 * request, instead of through Spark's broadcast and task-result paths.
 *
 * <p>Why: each round ships the whole model twice per partition (4.65M floats = 18.6 MB for PTB-small). Through Spark
 * that is a torrent broadcast (pieces, block-manager registration, Java deserialisation on every executor) one way
 * and a task result (serialised, wrapped, sent as an RPC message, deserialised twice on the driver) the other way:
 * measured 140 ms and 165 ms per round, against a 1.9 s round of compute at k = 16. A plain socket moves the same
 * bytes with one copy at each end.
 *
 * <p>Protocol, big-endian header then payload: a request is {@code long token, byte op, long round}; GET is answered
 * with {@code int n1, int n2} and n1 + n2 floats (parameters, optimizer state); PUT carries {@code int partition,
 * int attempt, int n1, int n2} and the floats, and is answered with one byte 1. The token is a random 64-bit value
 * per channel, shipped to the partitions inside the (Spark-secured) broadcast; a request without it is refused. A
 * partition's result is keyed by (partition, attempt), so a failed or speculative attempt's upload is never mixed
 * into the average: the driver takes the attempt whose task succeeded.
 *
 * <p>Every connection, both ends, gives up when its peer moves no byte for spark.channelTimeoutSeconds (a stalled
 * executor cannot hold a driver thread, a stalled driver fails the task, which Spark retries), and with Spark's
 * security on ({@code spark.authenticate}, {@code spark.network.crypto.enabled}) each connection first proves both
 * ends hold the application's Spark secret and is then sealed ({@link ChannelLink}). Security asked for with no
 * secret to derive a key from (no SparkEnv; Spark itself refuses crypto without authentication) opens no channel:
 * parameters then travel through Spark's own transport. The handshake comes before the request, and with crypto
 * the request and everything after it travel in sealed frames.
 *
 * <p>Over 400 lines because the driver's and the partitions' ends of one protocol are kept side by side.
 */
public final class ParameterChannel implements Closeable {

  private static final byte GET = 1;
  private static final byte PUT = 2;

  private static final Logger LOG = LoggerFactory.getLogger(ParameterChannel.class);

  /** Seconds a channel connection may sit without moving a byte (config key spark.channelTimeoutSeconds). */
  public static final int DEFAULT_TIMEOUT_SECONDS = 120;

  /**
   * Where partitions reach the channel and how (travels in the round's broadcast).
   *
   * @param timeoutMillis connect and read/write timeout of both ends
   * @param security      how connections are protected; the executors derive the key from their own Spark secret
   */
  public record Address(String host, int port, long token, long timeoutMillis, Security security) implements Serializable {
  }

  private final ServerSocketChannel server;
  private final Address address;
  private final ExecutorService handlers;
  private volatile long round = -1;
  private volatile byte[] snapshot;
  private final Map<Long, float[][]> uploads = new ConcurrentHashMap<>();
  private final byte[] key;
  private final AtomicInteger stalled = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  /**
   * The channel for a Spark application, protected as its conf asks (see the class comment), or null when the
   * conf asks for encryption but gives no secret to derive it from (one log line says so; the caller then moves
   * parameters through Spark).
   *
   * @param conf           the application's conf: spark.driver.host, spark.authenticate, spark.network.crypto.enabled
   * @param port           spark.transportPort; 0 = any free port
   * @param timeoutSeconds spark.channelTimeoutSeconds
   */
  public static ParameterChannel open(SparkConf conf, int port, int timeoutSeconds) {
    boolean authenticate = conf.getBoolean("spark.authenticate", false);
    boolean encrypt = conf.getBoolean("spark.network.crypto.enabled", false)
        || conf.getBoolean("spark.authenticate.enableSaslEncryption", false);
    String host = conf.get("spark.driver.host", "localhost");
    if (!authenticate && !encrypt) {
      return new ParameterChannel(host, port, timeoutSeconds * 1000L, Security.NONE, null);
    }
    String secret = authenticate ? sparkSecret() : null;
    if (secret == null) {
      LOG.warn("spark.authenticate = {}, spark.network.crypto.enabled = {}, but this JVM has no Spark secret to derive"
          + " the parameter channel's keys from, so parameters travel through Spark's own transport this run (as with"
          + " spark.transport = spark); run inside a SparkContext with spark.authenticate = true to keep the faster"
          + " direct channel", authenticate, encrypt);
      return null;
    }
    return new ParameterChannel(host, port, timeoutSeconds * 1000L, encrypt ? Security.ENCRYPT : Security.AUTHENTICATE,
        ChannelLink.channelKey(secret));
  }

  /** This JVM's Spark secret (driver or executor), or null when Spark has none. */
  private static String sparkSecret() {
    SparkEnv env = SparkEnv.get();
    return env == null ? null : env.securityManager().getSecretKey();
  }

  /**
   * Opens the channel on all interfaces.
   *
   * @param advertisedHost the name partitions connect to (the driver's spark.driver.host)
   * @param port           0 = any free port
   * @param timeoutMillis  connect and read/write timeout of both ends
   * @param security       how connections are protected
   * @param key            the channel key ({@link ChannelLink#channelKey}); null with {@link Security#NONE}
   */
  ParameterChannel(String advertisedHost, int port, long timeoutMillis, Security security, byte[] key) {
    if (timeoutMillis < 1) {
      throw new IllegalArgumentException("spark.channelTimeoutSeconds = " + timeoutMillis / 1000.0 + ": must be >= 1;"
          + " it bounds how long a stalled peer can hold a round");
    }
    if ((security == Security.NONE) != (key == null)) {
      throw new IllegalArgumentException("a channel key is needed exactly when connections are authenticated");
    }
    this.key = key == null ? null : key.clone();
    try {
      server = ServerSocketChannel.open();
      server.bind(new InetSocketAddress(port));
    } catch (IOException e) {
      throw new UncheckedIOException("spark.transportPort = " + port + ": cannot open the driver's parameter channel ("
          + e.getMessage() + "); choose a free port, 0 for any, or set spark.transport = spark", e);
    }
    address = new Address(advertisedHost, ((InetSocketAddress) addressOf(server)).getPort(), new SecureRandom().nextLong(),
        timeoutMillis, security);
    handlers = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "seqspark-parameter-channel");
      t.setDaemon(true);
      return t;
    });
    handlers.submit(this::acceptLoop);
  }

  private static java.net.SocketAddress addressOf(ServerSocketChannel s) {
    try {
      return s.getLocalAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where partitions reach this channel. */
  public Address address() {
    return address;
  }

  /** Publishes round {@code r}'s starting values (copied once into the wire form). */
  public void publish(long r, INDArray params, INDArray optimizer) {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(8 + 4 * (params.length() + optimizer.length())));
    b.putInt((int) params.length()).putInt((int) optimizer.length());
    b.put(wire(params)).put(wire(optimizer));
    // the wire views read the arrays' native memory: keep them reachable until the copy is done
    java.lang.ref.Reference.reachabilityFence(params);
    java.lang.ref.Reference.reachabilityFence(optimizer);
    snapshot = b.array();
    uploads.clear();
    round = r;
  }

  /** The values partition {@code partition} uploaded in attempt {@code attempt} of the current round, or null. */
  public float[][] upload(int partition, int attempt) {
    return uploads.get(key(partition, attempt));
  }

  /** Connections closed because their peer stalled for the whole timeout, since the channel opened. */
  int stalledPeers() {
    return stalled.get();
  }

  /** Connections refused because their peer did not hold the Spark secret, since the channel opened. */
  int refusedPeers() {
    return refused.get();
  }

  /** Drops the current round's uploads (after they were averaged). */
  public void clearUploads() {
    uploads.clear();
  }

  private static long key(int partition, int attempt) {
    return ((long) partition << 32) | (attempt & 0xFFFFFFFFL);
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel c = server.accept();
        handlers.submit(() -> serve(c));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(SocketChannel c) {
    String op = "the handshake";
    ChannelLink link = null;
    try {
      link = ChannelLink.accepted(c, address.timeoutMillis());
      if (key != null) {
        link.serverHandshake(key, address.security());
      }
      op = "a request";
      ByteBuffer head = link.readFully(17);
      if (head.getLong() != address.token()) {
        return;
      }
      byte kind = head.get();
      long r = head.getLong();
      if (r != round) {
        return; // a stale attempt from an earlier round: no answer, its task fails and is not used
      }
      if (kind == GET) {
        op = "GET";
        link.writeFully(ByteBuffer.wrap(snapshot));
      } else if (kind == PUT) {
        op = "PUT";
        ByteBuffer sizes = link.readFully(16);
        int partition = sizes.getInt();
        int attempt = sizes.getInt();
        int n1 = sizes.getInt();
        int n2 = sizes.getInt();
        ByteBuffer body = link.readFully(4L * (n1 + n2)).order(ByteOrder.LITTLE_ENDIAN);
        float[] a = new float[n1];
        float[] b = new float[n2];
        body.asFloatBuffer().get(a).get(b);
        uploads.put(key(partition, attempt), new float[][] {a, b});
        link.writeFully(ByteBuffer.wrap(new byte[] {1}));
      }
    } catch (SocketTimeoutException e) {
      stalled.incrementAndGet();
      LOG.warn("parameter channel: {} during {}; closed the connection (spark.channelTimeoutSeconds = {}); its task"
          + " fails and Spark retries it", e.getMessage(), op, address.timeoutMillis() / 1000);
    } catch (ChannelLink.AuthenticationException e) {
      refused.incrementAndGet();
      LOG.warn("parameter channel: {}", e.getMessage());
    } catch (IOException e) {
      // the partition sees the broken connection and its task fails; Spark retries it
    } finally {
      try {
        if (link != null) {
          link.close();
        } else {
          c.close();
        }
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    handlers.shutdownNow();
    snapshot = null;
    uploads.clear();
  }

  // ------------------------------------------------------------------------------------------ partition side

  /**
   * Fetches round {@code r}'s values straight into {@code params} and {@code optimizer} (flat float32 vectors of the
   * published lengths): with no intermediate copy when they are whole native buffers, as a model's flat parameters
   * are, and the link is not sealed.
   */
  public static void get(Address at, long r, INDArray params, INDArray optimizer) {
    get(at, executorKey(at), r, params, optimizer);
  }

  /** {@link #get(Address, long, INDArray, INDArray)} with the channel key given (tests: a wrong or missing one). */
  static void get(Address at, byte[] channelKey, long r, INDArray params, INDArray optimizer) {
    try (ChannelLink c = connect(at, "GET", r)) {
      try {
        handshake(c, at, channelKey);
        c.writeFully(request(at, GET, r, 0));
        ByteBuffer sizes = c.readFully(8);
        int n1 = sizes.getInt();
        int n2 = sizes.getInt();
        if (n1 != params.length() || n2 != optimizer.length()) {
          throw new IllegalStateException("the driver published " + n1 + " parameters and " + n2 + " optimizer"
              + " values, this partition's model has " + params.length() + " and " + optimizer.length());
        }
        readInto(c, params);
        readInto(c, optimizer);
      } catch (IOException e) {
        throw failed(at, "GET", r, e);
      }
    } catch (IOException e) {
      throw failed(at, "GET", r, e); // closing
    }
  }

  /** Uploads this attempt's values for round {@code r}, straight from the model's buffers where they allow it. */
  public static void put(Address at, long r, int partition, int attempt, INDArray params, INDArray optimizer) {
    put(at, r, partition, attempt, params, optimizer, null);
  }

  /**
   * {@link #put(Address, long, int, int, INDArray, INDArray)}, running {@code afterHeader} (if not null) between the
   * request's header and its values: {@link FaultInjection}'s stalled-peer test.
   */
  static void put(Address at, long r, int partition, int attempt, INDArray params, INDArray optimizer,
                  Runnable afterHeader) {
    try (ChannelLink c = connect(at, "PUT", r)) {
      try {
        handshake(c, at, executorKey(at));
        ByteBuffer head = request(at, PUT, r, 16);
        head.putInt(partition).putInt(attempt).putInt((int) params.length()).putInt((int) optimizer.length()).flip();
        c.writeFully(head);
        if (afterHeader != null) {
          afterHeader.run();
        }
        c.writeFully(wire(params));
        c.writeFully(wire(optimizer));
        c.readFully(1);
      } catch (IOException e) {
        throw failed(at, "PUT", r, e);
      } finally {
        // the writes read the arrays' native memory: a caller's temporary must not be freed mid-write
        java.lang.ref.Reference.reachabilityFence(params);
        java.lang.ref.Reference.reachabilityFence(optimizer);
      }
    } catch (IOException e) {
      throw failed(at, "PUT", r, e); // closing
    }
  }

  /** The channel key from this executor's own Spark secret, when the driver's channel asks for one. */
  private static byte[] executorKey(Address at) {
    if (at.security() == Security.NONE) {
      return null;
    }
    String secret = sparkSecret();
    if (secret == null) {
      throw new IllegalStateException("the driver's parameter channel requires Spark's secret (spark.authenticate ="
          + " true), but this executor's Spark has none; give the executors the same spark.authenticate settings as"
          + " the driver, or set spark.transport = spark");
    }
    return ChannelLink.channelKey(secret);
  }

  /** The native memory of {@code a} as little-endian float bytes, or null when it is not one whole float buffer. */
  private static ByteBuffer nativeView(INDArray a) {
    if (a.length() == 0 || a.dataType() != DataType.FLOAT || a.isView() || a.data().length() != a.length()
        || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      return null;
    }
    ByteBuffer b = a.data().asNio();
    if (b == null || b.capacity() < 4 * a.length()) {
      return null;
    }
    return b.order(ByteOrder.LITTLE_ENDIAN).position(0).limit((int) (4 * a.length()));
  }

  /** {@code a}'s values as little-endian float bytes: its own memory when possible, else a copy. */
  private static ByteBuffer wire(INDArray a) {
    ByteBuffer view = nativeView(a);
    if (view != null) {
      return view;
    }
    float[] f = ParameterAveraging.toFloats(a);
    ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(f);
    return b;
  }

  private static void readInto(ChannelLink c, INDArray target) throws IOException {
    ByteBuffer view = nativeView(target);
    if (view != null) {
      c.readFully(view);
      return;
    }
    if (target.length() == 0) {
      return;
    }
    float[] f = new float[(int) target.length()];
    c.readFully(4L * f.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    target.assign(Nd4j.createFromArray(f).reshape(target.shape()).castTo(target.dataType()));
  }

  private static ByteBuffer request(Address at, byte op, long r, long extra) {
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(17 + extra));
    b.putLong(at.token()).put(op).putLong(r);
    if (extra == 0) {
      b.flip();
    }
    return b;
  }

  /** Connects to the driver; a failure here means it cannot be reached (a port, a firewall, a host name). */
  private static ChannelLink connect(Address at, String op, long r) {
    try {
      return ChannelLink.connect(at.host(), at.port(), at.timeoutMillis());
    } catch (IOException e) {
      throw new IllegalStateException("cannot " + op + " round " + r + ": the driver's parameter channel at "
          + at.host() + ":" + at.port() + " cannot be reached (" + e + "); let executors reach that port (fix it with"
          + " spark.transportPort) or set spark.transport = spark", e);
    }
  }

  private static void handshake(ChannelLink c, Address at, byte[] channelKey) throws IOException {
    if (at.security() != Security.NONE) {
      c.clientHandshake(channelKey == null ? new byte[32] : channelKey, at.security());
    }
  }

  /** The error of a connection that was open: a stalled driver, a failed proof, or a connection it closed. */
  private static IllegalStateException failed(Address at, String op, long r, IOException e) {
    String where = "the driver's parameter channel at " + at.host() + ":" + at.port();
    if (e instanceof SocketTimeoutException) {
      return new IllegalStateException(op + " of round " + r + " through " + where + " stalled: " + e.getMessage()
          + " (spark.channelTimeoutSeconds = " + at.timeoutMillis() / 1000 + "); the task fails and Spark retries it."
          + " If the driver or the network is just slow (a large model), raise spark.channelTimeoutSeconds", e);
    }
    if (e instanceof ChannelLink.AuthenticationException) {
      return new IllegalStateException(op + " of round " + r + ": " + e.getMessage(), e);
    }
    return new IllegalStateException("cannot " + op + " round " + r + ": " + where + " closed the connection (" + e
        + "). It closes a connection that stalls for spark.channelTimeoutSeconds = " + at.timeoutMillis() / 1000
        + ", one for a round that has ended, and one whose peer lacks its Spark secret (spark.authenticate = "
        + (at.security() != Security.NONE) + "); the task fails and Spark retries it", e);
  }
}
