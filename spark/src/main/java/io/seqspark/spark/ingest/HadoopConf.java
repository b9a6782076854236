package io.seqspark.spark.ingest;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Ships the driver's Hadoop configuration (credentials for s3a://, the HDFS name node, codecs) to the tasks:
 * {@link Configuration} is Writable but not Serializable. It travels as a broadcast, fetched once per executor: a
 * closure holding the configuration itself is deserialized by every task, which measured 4-8 ms per task (hundreds
 * of properties), a serial cost on each core of every stage.
 */
public final class HadoopConf implements Serializable {
  private final Broadcast<Writable> broadcast;
  private transient Configuration conf;

  /** The configuration as written and read back in Java serialization. */
  private static final class Writable implements Serializable {
    private transient Configuration conf;

    Writable(Configuration conf) {
      this.conf = conf;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      out.defaultWriteObject();
      conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      conf = new Configuration(false);
      conf.readFields(in);
    }
  }

  /** {@code sc}'s Hadoop configuration, broadcast. */
  public HadoopConf(JavaSparkContext sc) {
    this.conf = sc.hadoopConfiguration();
    this.broadcast = sc.broadcast(new Writable(conf));
  }

  /** The configuration (on an executor: fetched from the broadcast once). */
  public Configuration get() {
    if (conf == null) {
      conf = broadcast.value().conf;
    }
    return conf;
  }
}
