package org.tinybert.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;

/**
 * Which package uses which, read from compiled classes by the JDK's {@code jdeps} (so constant pools, signatures and
 * annotations all count, as they do for the class loader), and the cycles in that graph.
 */
public final class PackageGraph {
  /** Package, then each package it uses, then one use that shows it ({@code training.A -> scoring.B}). */
  private final Map<String, Map<String, String>> uses;

  private PackageGraph(Map<String, Map<String, String>> uses) {
    this.uses = uses;
  }

  /** The uses between packages under {@code prefix} (e.g. {@code org.tinybert}) of the classes in {@code roots}. */
  public static PackageGraph of(String prefix, Path... roots) {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps")
        .orElseThrow(() -> new IllegalStateException("no jdeps in this JDK (" + System.getProperty("java.home") + ")"));
    List<String> args = new ArrayList<>(List.of("-verbose:class", "-filter:package"));
    for (Path root : roots) args.add(root.toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    if (rc != 0) throw new IllegalStateException("jdeps " + args + " exited " + rc + ": " + err);
    Map<String, Map<String, String>> uses = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      // "   org.tinybert.a.X   -> org.tinybert.b.Y   classes"; header lines start in the first column.
      if (!line.startsWith(" ")) continue;
      String[] f = line.trim().split("\\s+");
      if (f.length < 3 || !f[1].equals("->")) continue;
      String from = outer(f[0]);
      String to = outer(f[2]);
      if (!from.startsWith(prefix + ".") || !to.startsWith(prefix + ".")) continue;
      String fromPkg = packageOf(from);
      String toPkg = packageOf(to);
      if (fromPkg.equals(toPkg)) continue;
      uses.computeIfAbsent(fromPkg, k -> new TreeMap<>())
          .putIfAbsent(toPkg, shortName(from, prefix) + " -> " + shortName(to, prefix));
    }
    return new PackageGraph(uses);
  }

  /** Every package that uses or is used by another. */
  public Set<String> packages() {
    Set<String> all = new TreeSet<>(uses.keySet());
    uses.values().forEach(m -> all.addAll(m.keySet()));
    return all;
  }

  /** Whether {@code from} uses a class of {@code to}. */
  public boolean uses(String from, String to) {
    return uses.getOrDefault(from, Map.of()).containsKey(to);
  }

  /**
   * The strongly connected parts with more than one package, each as its sorted package names: every package in one
   * of them reaches every other, so no order of floors exists for them.
   */
  public List<Set<String>> tangles() {
    return new Tarjan().run();
  }

  /**
   * One shortest cycle through the tangle's first package, each step with the use that shows it, e.g.
   * {@code org.tinybert.a -> org.tinybert.b (a.X -> b.Y)}.
   */
  public List<String> cycleThrough(Set<String> tangle) {
    String start = tangle.iterator().next();
    Map<String, String> cameFrom = new HashMap<>();
    Deque<String> queue = new ArrayDeque<>(List.of(start));
    String last = null;
    while (!queue.isEmpty() && last == null) {
      String p = queue.poll();
      for (String q : uses.getOrDefault(p, Map.of()).keySet()) {
        if (!tangle.contains(q)) continue;
        if (q.equals(start)) {
          last = p;
          break;
        }
        if (cameFrom.putIfAbsent(q, p) == null) queue.add(q);
      }
    }
    List<String> path = new ArrayList<>();
    for (String p = last; p != null && !p.equals(start); p = cameFrom.get(p)) path.add(0, p);
    path.add(0, start);
    path.add(start);
    List<String> steps = new ArrayList<>();
    for (int i = 0; i + 1 < path.size(); i++) {
      String a = path.get(i);
      String b = path.get(i + 1);
      steps.add(a + " -> " + b + " (" + uses.get(a).get(b) + ")");
    }
    return steps;
  }

  /** Every tangle, each with one cycle through it, one step a line; empty when the packages form a ladder. */
  public String describeCycles() {
    return tangles().stream()
        .map(t -> "cycle among " + t + ":\n  " + String.join("\n  ", cycleThrough(t)))
        .collect(Collectors.joining("\n"));
  }

  private static String outer(String className) {
    int dollar = className.indexOf('$');
    return dollar < 0 ? className : className.substring(0, dollar);
  }

  private static String packageOf(String className) {
    return className.substring(0, className.lastIndexOf('.'));
  }

  private static String shortName(String className, String prefix) {
    return className.substring(prefix.length() + 1);
  }

  /** Tarjan's strongly connected components, iterating packages and their uses in name order. */
  private final class Tarjan {
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final Deque<String> stack = new ArrayDeque<>();
    private final Set<String> onStack = new TreeSet<>();
    private final List<Set<String>> found = new ArrayList<>();

    List<Set<String>> run() {
      for (String p : packages()) if (!index.containsKey(p)) visit(p);
      found.sort((a, b) -> a.iterator().next().compareTo(b.iterator().next()));
      return found;
    }

    private void visit(String p) {
      index.put(p, index.size());
      low.put(p, index.get(p));
      stack.push(p);
      onStack.add(p);
      for (String q : uses.getOrDefault(p, Map.of()).keySet()) {
        if (!index.containsKey(q)) {
          visit(q);
          low.put(p, Math.min(low.get(p), low.get(q)));
        } else if (onStack.contains(q)) {
          low.put(p, Math.min(low.get(p), index.get(q)));
        }
      }
      if (low.get(p).equals(index.get(p))) {
        Set<String> component = new TreeSet<>();
        String q;
        do {
          q = stack.pop();
          onStack.remove(q);
          component.add(q);
        } while (!q.equals(p));
        if (component.size() > 1) found.add(component);
      }
    }
  }
}
