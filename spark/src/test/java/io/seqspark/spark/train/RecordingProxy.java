package io.seqspark.spark.train;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A one-connection TCP proxy to 127.0.0.1:{@code target} that records what the server sends: the wire, as seen. */
final class RecordingProxy implements AutoCloseable {
  private final ServerSocket listen;
  private final ByteArrayOutputStream fromServer = new ByteArrayOutputStream();
  private final Thread thread;

  RecordingProxy(int target) throws IOException {
    listen = new ServerSocket();
    listen.bind(new InetSocketAddress("127.0.0.1", 0));
    thread = new Thread(() -> {
      try (Socket client = listen.accept(); Socket server = new Socket("127.0.0.1", target)) {
        Thread up = new Thread(() -> pump(client, server, null));
        up.start();
        pump(server, client, fromServer);
        up.join();
      } catch (IOException | InterruptedException e) {
        // the test's assertions see what arrived
      }
    });
    thread.start();
  }

  int port() {
    return listen.getLocalPort();
  }

  /** Everything the server sent, once the connection has ended. */
  byte[] fromServer() throws InterruptedException {
    thread.join(60_000);
    assertFalse(thread.isAlive(), "proxy finished");
    synchronized (fromServer) {
      return fromServer.toByteArray();
    }
  }

  /** Whether {@code needle} occurs in {@code hay}. */
  static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void pump(Socket from, Socket to, ByteArrayOutputStream record) {
    byte[] buf = new byte[65536];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) > 0) {
        if (record != null) {
          synchronized (record) {
            record.write(buf, 0, n);
          }
        }
        out.write(buf, 0, n);
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // one side closed
    }
  }

  @Override
  public void close() throws IOException {
    listen.close();
  }
}
