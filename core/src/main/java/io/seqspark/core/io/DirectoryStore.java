package io.seqspark.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A directory on some file system, as much of it as checkpoints need: entries (sub-directories) written under a
 * temporary name and then published atomically under their final name. Core implements it for local paths ({@link
 * LocalDirectoryStore}); the spark module implements it over Hadoop's FileSystem API, so checkpoints can go to any
 * Hadoop path (hdfs://, s3a://, file://). Entry and file names are plain names without separators.
 */
public interface DirectoryStore {

  /** Where this store is, for messages (a path or URI). */
  String location();

  /** The names of the published entries, sorted; temporary entries are not listed. */
  List<String> entries() throws IOException;

  /** A fresh temporary entry to write into before {@link #publish}. */
  String createTemporary() throws IOException;

  /** Creates (or replaces) {@code file} in {@code entry}. */
  OutputStream create(String entry, String file) throws IOException;

  InputStream open(String entry, String file) throws IOException;

  /** The file names in {@code entry}, sorted. */
  List<String> files(String entry) throws IOException;

  /**
   * Publishes the temporary entry {@code temporary} as {@code name}, replacing an existing one: readers see the old
   * entry or the new one, never a partial one (a rename; on object stores without atomic rename, see README).
   */
  void publish(String temporary, String name) throws IOException;

  /** Deletes an entry and everything in it (no error if it is absent). */
  void delete(String entry) throws IOException;

  /** The location of {@code entry}, for messages and listeners. */
  default String location(String entry) {
    String l = location();
    return l.endsWith("/") ? l + entry : l + "/" + entry;
  }
}
