package org.tinybert.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schemas of a run's records in {@code docs/schema/}, and a check of a file against them.
 *
 * <p>A checker of the subset the schemas use ({@code type}, {@code required}, {@code properties},
 * {@code additionalProperties}, {@code items}, {@code enum}, {@code anyOf}, local {@code $ref}), not a full
 * validator. com.networknt:json-schema-validator 1.5.8 resolves from Maven Central but is built against Jackson 2.18,
 * and the build pins Jackson to its Spark line's, 2.15 under {@code -Pspark-3.5}: a test dependency that may break on
 * one of the two lines is worth less than these few lines.
 * The notebooks' checker validates the same files against the same schemas with Python's {@code jsonschema}, which
 * implements all of it; a schema that needs more than this subset fails here loudly rather than passing.
 */
public final class RunSchemas {
  public static final String METRICS_ROUND = "metrics-round.v1.schema.json";
  public static final String EVAL = "eval.v1.schema.json";
  public static final String MANIFEST = "manifest.v1.schema.json";
  private static final List<String> KNOWN = List.of("$schema", "$id", "title", "description", "type", "required",
      "properties", "additionalProperties", "items", "enum", "anyOf", "$ref", "$defs");
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunSchemas() {}

  /** {@code docs/schema/} of the repository the tests run in (found upwards from the module's directory). */
  public static Path dir() {
    for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
      Path d = p.resolve("docs/schema");
      if (Files.isDirectory(d)) return d;
    }
    throw new IllegalStateException("no docs/schema above " + System.getProperty("user.dir"));
  }

  public static JsonNode schema(String name) {
    try {
      return JSON.readTree(dir().resolve(name).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The problems of {@code value} against the schema {@code name}, each naming where; empty when it is valid. */
  public static List<String> problems(String name, JsonNode value) {
    JsonNode root = schema(name);
    List<String> out = new ArrayList<>();
    check(root, root, value, "$", out);
    return out;
  }

  /**
   * The problems of a run directory's records: {@value RunFiles#MANIFEST}, every line of {@value RunFiles#METRICS}
   * and, when present, {@value RunFiles#BEST_EVAL}.
   */
  public static List<String> runProblems(Path run) throws IOException {
    List<String> out = new ArrayList<>();
    for (String p : problems(MANIFEST, JSON.readTree(run.resolve(RunFiles.MANIFEST).toFile()))) {
      out.add(RunFiles.MANIFEST + ": " + p);
    }
    List<String> lines = Files.readAllLines(run.resolve(RunFiles.METRICS), StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      for (String p : problems(METRICS_ROUND, JSON.readTree(lines.get(i)))) {
        out.add(RunFiles.METRICS + " line " + (i + 1) + ": " + p);
      }
    }
    Path eval = run.resolve(RunFiles.BEST_EVAL);
    if (Files.exists(eval)) {
      for (String p : problems(EVAL, JSON.readTree(eval.toFile()))) out.add(RunFiles.BEST_EVAL + ": " + p);
    }
    return out;
  }

  private static void check(JsonNode root, JsonNode schema, JsonNode v, String at, List<String> out) {
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KNOWN.contains(k)) throw new IllegalArgumentException("schema keyword " + k + " at " + at + " unsupported");
    }
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      if (!ref.startsWith("#/")) throw new IllegalArgumentException("only local $ref: " + ref);
      check(root, root.at(ref.substring(1)), v, at, out);
    }
    if (schema.has("type")) {
      JsonNode t = schema.get("type");
      boolean ok = false;
      for (JsonNode one : t.isArray() ? t : JSON.createArrayNode().add(t)) ok |= isType(one.asText(), v);
      if (!ok) {
        out.add(at + ": expected " + t + ", found " + v);
        return;
      }
    }
    if (schema.has("enum")) {
      boolean ok = false;
      for (JsonNode e : schema.get("enum")) ok |= e.equals(v);
      if (!ok) out.add(at + ": expected one of " + schema.get("enum") + ", found " + v);
    }
    if (schema.has("anyOf")) {
      boolean ok = false;
      for (JsonNode s : schema.get("anyOf")) {
        List<String> sub = new ArrayList<>();
        check(root, s, v, at, sub);
        ok |= sub.isEmpty();
      }
      if (!ok) out.add(at + ": matches none of " + schema.get("anyOf") + ": " + v);
    }
    if (v.isObject()) {
      for (JsonNode r : schema.path("required")) {
        if (!v.has(r.asText())) out.add(at + ": required " + r.asText() + " missing");
      }
      JsonNode props = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String where = at + "." + f.getKey();
        if (props.has(f.getKey())) {
          check(root, props.get(f.getKey()), f.getValue(), where, out);
        } else if (schema.has("additionalProperties")) {
          JsonNode extra = schema.get("additionalProperties");
          if (extra.isBoolean()) {
            if (!extra.asBoolean()) out.add(where + ": not in the schema");
          } else {
            check(root, extra, f.getValue(), where, out);
          }
        }
      }
    }
    if (v.isArray() && schema.has("items")) {
      for (int i = 0; i < v.size(); i++) check(root, schema.get("items"), v.get(i), at + "[" + i + "]", out);
    }
  }

  private static boolean isType(String type, JsonNode v) {
    return switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "number" -> v.isNumber();
      // JSON Schema counts 2.0 as an integer too.
      case "integer" -> v.isNumber() && v.canConvertToExactIntegral();
      case "boolean" -> v.isBoolean();
      case "null" -> v.isNull();
      default -> throw new IllegalArgumentException("unknown type " + type);
    };
  }
}
