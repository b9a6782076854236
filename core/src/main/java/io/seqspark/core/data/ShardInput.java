package io.seqspark.core.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One token shard file opened for reading with seeks: a local file here, a Hadoop file system's file in the spark
 * module. {@link ShardExamples} reads {@link TokenShards}' format through it, so executors read shards from any file
 * system the same way the local trainer reads them from disk.
 */
public interface ShardInput extends Closeable {

  /** The file's length in bytes. */
  long size() throws IOException;

  /** Fills {@code b} from byte {@code position}; fails at the end of the file. */
  void readFully(long position, byte[] b) throws IOException;

  /** A new, independent stream of the file's bytes from {@code position}; the caller closes it. */
  InputStream stream(long position) throws IOException;

  /** Opens shard files by name; travels to executors, so it must be serializable. */
  interface Opener extends Serializable {
    ShardInput open(String file) throws IOException;
  }

  /** Local files, by path. */
  static Opener local() {
    return file -> local(Path.of(file));
  }

  /** A local file. */
  static ShardInput local(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    return new ShardInput() {
      @Override
      public long size() throws IOException {
        return ch.size();
      }

      @Override
      public void readFully(long position, byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
          if (ch.read(buf, position + buf.position()) < 0) {
            throw new java.io.EOFException(file + ": token shard is damaged: unexpected end of file");
          }
        }
      }

      @Override
      public InputStream stream(long position) throws IOException {
        InputStream in = java.nio.file.Files.newInputStream(file);
        in.skipNBytes(position);
        return in;
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }
}
