package io.seqspark.spark.train;

import io.seqspark.core.io.DirectoryStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A {@link DirectoryStore} on any Hadoop file system (hdfs://, s3a://, file://, ...), configured the way Spark
 * configures Hadoop (core-site.xml, {@code spark.hadoop.*}). An entry is written under {@code _tmp-<uuid>} and
 * published by {@link FileSystem#rename}: atomic on HDFS and local disks. A replaced entry is first renamed aside
 * to {@code <name>.old-<nanos>} and deleted after the new one is in place, so a crash leaves a complete copy. On
 * object stores (s3a) rename is a copy: still never a partial entry under the final name, but not instantaneous.
 */
public final class HadoopDirectoryStore implements DirectoryStore {
  private static final String TEMP_PREFIX = "_tmp-";
  private final Path dir;
  private final FileSystem fs;

  public HadoopDirectoryStore(String uri, Configuration conf) throws IOException {
    this.dir = new Path(uri);
    this.fs = dir.getFileSystem(conf);
  }

  @Override
  public String location() {
    return fs.makeQualified(dir).toString();
  }

  @Override
  public String location(String entry) {
    return fs.makeQualified(new Path(dir, entry)).toString();
  }

  @Override
  public List<String> entries() throws IOException {
    List<String> out = new ArrayList<>();
    for (String n : list(dir)) {
      if (!n.startsWith(TEMP_PREFIX) && fs.getFileStatus(new Path(dir, n)).isDirectory()) {
        out.add(n);
      }
    }
    return out;
  }

  @Override
  public String createTemporary() throws IOException {
    String name = TEMP_PREFIX + UUID.randomUUID();
    if (!fs.mkdirs(new Path(dir, name))) {
      throw new IOException("could not create " + location(name));
    }
    return name;
  }

  @Override
  public OutputStream create(String entry, String file) throws IOException {
    return fs.create(new Path(new Path(dir, entry), file), true);
  }

  @Override
  public InputStream open(String entry, String file) throws IOException {
    return fs.open(new Path(new Path(dir, entry), file));
  }

  @Override
  public List<String> files(String entry) throws IOException {
    return list(new Path(dir, entry));
  }

  @Override
  public void publish(String temporary, String name) throws IOException {
    Path tmp = new Path(dir, temporary);
    Path target = new Path(dir, name);
    Path aside = null;
    if (fs.exists(target)) {
      aside = new Path(dir, name + ".old-" + System.nanoTime());
      rename(target, aside);
    }
    try {
      rename(tmp, target);
    } catch (IOException e) {
      if (aside != null) {
        rename(aside, target);
      }
      throw e;
    }
    if (aside != null) {
      fs.delete(aside, true);
    }
  }

  @Override
  public void delete(String entry) throws IOException {
    fs.delete(new Path(dir, entry), true);
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("could not rename " + fs.makeQualified(from) + " to " + fs.makeQualified(to));
    }
  }

  private List<String> list(Path d) throws IOException {
    if (!fs.exists(d)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (FileStatus st : fs.listStatus(d)) {
      out.add(st.getPath().getName());
    }
    out.sort(null);
    return out;
  }
}
