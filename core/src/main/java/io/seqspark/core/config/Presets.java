package io.seqspark.core.config;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The conf files bundled in the jar under {@code seqspark-conf/} (core's pom copies the repository's {@code conf/}
 * there), so {@code --conf lm-ptb} works from any directory and from a shaded jar on a cluster.
 */
final class Presets {

  static final String DIR = "seqspark-conf/";
  static final String REFERENCE = DIR + "reference.conf";

  private Presets() {}

  /** The classpath resource of preset {@code name} ({@code lm-ptb} or {@code lm-ptb.conf}), or null. */
  static String resourceFor(String name) {
    String n = name.replace('\\', '/');
    if (n.isEmpty() || n.startsWith("/") || n.contains("..")) {
      return null;
    }
    String resource = DIR + (n.endsWith(".conf") ? n : n + ".conf");
    if (resource.equals(REFERENCE)) {
      return null;
    }
    return loader().getResource(resource) != null ? resource : null;
  }

  /** Names of the bundled presets, without {@code .conf}, sorted; empty if they cannot be listed. */
  static List<String> names() {
    URL ref = loader().getResource(REFERENCE);
    TreeSet<String> names = new TreeSet<>();
    if (ref == null) {
      return List.of();
    }
    try {
      if ("file".equals(ref.getProtocol())) {
        Path dir = Path.of(ref.toURI()).getParent();
        try (Stream<Path> files = Files.walk(dir)) {
          files.filter(p -> p.toString().endsWith(".conf"))
              .forEach(p -> names.add(dir.relativize(p).toString().replace('\\', '/')));
        }
      } else if ("jar".equals(ref.getProtocol())) {
        JarURLConnection connection = (JarURLConnection) ref.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
          for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            String entry = e.nextElement().getName();
            if (entry.startsWith(DIR) && entry.endsWith(".conf")) {
              names.add(entry.substring(DIR.length()));
            }
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return List.of(); // only used for hints in error messages
    }
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (!n.equals("reference.conf")) {
        out.add(n.substring(0, n.length() - ".conf".length()));
      }
    }
    return out;
  }

  static ClassLoader loader() {
    ClassLoader l = Thread.currentThread().getContextClassLoader();
    return l != null && l.getResource(REFERENCE) != null ? l : Presets.class.getClassLoader();
  }
}
