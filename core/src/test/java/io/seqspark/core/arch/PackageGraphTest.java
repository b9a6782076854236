package io.seqspark.core.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core module's package graph has no cycle: every reference from one {@code io.seqspark.core} package to another
 * in code (imports and qualified names; comments do not count) points one way, so a package can be read, tested and
 * changed knowing only the packages below it. Read from the sources, so a new edge that closes a cycle fails here.
 */
class PackageGraphTest {
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern REF = Pattern.compile("io\\.seqspark\\.core\\.(\\w+)");

  static Map<String, TreeSet<String>> graph(Path sources) throws IOException {
    Map<String, TreeSet<String>> g = new TreeMap<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String code = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
        Matcher pm = PACKAGE.matcher(code);
        if (!pm.find()) {
          continue;
        }
        String pkg = pm.group(1).replace("io.seqspark.core.", "").replace("io.seqspark.core", "");
        Matcher m = REF.matcher(code.substring(pm.end()));
        TreeSet<String> deps = g.computeIfAbsent(pkg, k -> new TreeSet<>());
        while (m.find()) {
          if (!m.group(1).equals(pkg) && Character.isLowerCase(m.group(1).charAt(0))) {
            deps.add(m.group(1));
          }
        }
      }
    }
    return g;
  }

  /** The strongly connected components with more than one package (Tarjan). */
  static List<List<String>> cycles(Map<String, TreeSet<String>> g) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    List<String> stack = new ArrayList<>();
    List<List<String>> out = new ArrayList<>();
    for (String v : g.keySet()) {
      if (!index.containsKey(v)) {
        visit(v, g, index, low, stack, out);
      }
    }
    return out;
  }

  private static void visit(String v, Map<String, TreeSet<String>> g, Map<String, Integer> index,
                            Map<String, Integer> low, List<String> stack, List<List<String>> out) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.add(v);
    for (String w : g.getOrDefault(v, new TreeSet<>())) {
      if (!index.containsKey(w)) {
        visit(w, g, index, low, stack, out);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<String> comp = new ArrayList<>();
      String w;
      do {
        w = stack.remove(stack.size() - 1);
        comp.add(w);
      } while (!w.equals(v));
      if (comp.size() > 1) {
        out.add(comp);
      }
    }
  }

  @Test
  void corePackages_formNoCycle() throws IOException {
    Map<String, TreeSet<String>> g = graph(Path.of("src/main/java/io/seqspark/core"));
    assertTrue(g.size() >= 10, "the sources were found: " + g.keySet());
    assertEquals(List.of(), cycles(g), "package graph " + g);
  }

  @Test
  void theCheck_findsACycle() {
    Map<String, TreeSet<String>> g = new TreeMap<>(Map.of("a", new TreeSet<>(List.of("b")), "b",
        new TreeSet<>(List.of("c")), "c", new TreeSet<>(List.of("a")), "d", new TreeSet<>(List.of("a"))));
    assertEquals(1, cycles(g).size());
    assertEquals(new TreeSet<>(List.of("a", "b", "c")), new TreeSet<>(cycles(g).get(0)));
  }
}
