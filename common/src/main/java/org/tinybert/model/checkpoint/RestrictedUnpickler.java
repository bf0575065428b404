package org.tinybert.model.checkpoint;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Python pickle reader for torch state dicts that never calls anything: globals are names checked against an
 * allow-list, and the only "calls" ({@code REDUCE}, {@code BUILD}, persistent ids) go to a {@link Handler} that
 * builds plain Java values.
 *
 * <p>Written here because no Java library reads torch pickles safely: general unpicklers (Pyrolite, Jython) resolve
 * any global they meet, and a checkpoint's pickle can name {@code os.system} as easily as
 * {@code torch._utils._rebuild_tensor_v2}. The opcodes are those of protocols 2 to 5 that a state dict uses: no
 * class instantiation ({@code NEWOBJ}, {@code INST}, {@code OBJ}), no extensions, no text-protocol opcodes.
 *
 * <p>Values: Python str is {@link String}, int is {@link Long} (or {@link BigInteger} beyond 64 bits), float is
 * {@link Double}, bool is {@link Boolean}, None is {@link #NONE}, bytes is byte[], list is {@link ArrayList},
 * dict is {@link LinkedHashMap}, tuple is {@link Tuple}, an allowed global is {@link Global}.
 */
final class RestrictedUnpickler {

  /** Python's None (null cannot mark "present but None" in every collection). */
  static final Object NONE = new Object() {
    @Override
    public String toString() {
      return "None";
    }
  };

  /** An allowed global, e.g. {@code torch._utils._rebuild_tensor_v2}. */
  record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }

    @Override
    public String toString() {
      return qualified();
    }
  }

  /** A Python tuple. */
  record Tuple(List<Object> items) {
    Tuple {
      items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    int size() {
      return items.size();
    }

    Object get(int i) {
      return items.get(i);
    }
  }

  /** What the pickle's calls become. Every method may throw {@link CheckpointException}. */
  interface Handler {
    /** {@code BINPERSID}: torch's reference to a storage saved outside the pickle. */
    Object persistentLoad(Object pid);

    /** {@code REDUCE}: {@code callable(*args)} for an allowed global. */
    Object reduce(Global callable, Tuple args);

    /** {@code BUILD}: {@code obj.__setstate__(state)}; returns the object to leave on the stack. */
    Object build(Object obj, Object state);
  }

  /** Longest module or name a GLOBAL may spell out; real ones are under 40 characters. */
  private static final int MAX_GLOBAL_LINE = 256;

  private final BoundedInput in;
  private final Set<String> allowedGlobals;
  private final Handler handler;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private long opcodeAt;

  /** {@code allowedGlobals}: qualified names ("module.name") the pickle may refer to; any other is refused. */
  RestrictedUnpickler(BoundedInput in, Set<String> allowedGlobals, Handler handler) {
    this.in = in;
    this.allowedGlobals = allowedGlobals;
    this.handler = handler;
  }

  /** Reads one pickle, up to and including its STOP opcode, and returns its value. */
  Object load() throws IOException {
    while (true) {
      opcodeAt = in.position();
      int op = in.readUnsignedByte();
      switch (op) {
        case 0x80 -> { // PROTO
          int protocol = in.readUnsignedByte();
          if (protocol < 2 || protocol > 5) throw error("unsupported pickle protocol " + protocol);
        }
        case 0x95 -> { // FRAME: a length hint only
          long frame = in.readLittleEndian(8);
          if (frame < 0 || frame > in.remaining()) throw error("frame of " + frame + " bytes runs past the end");
        }
        case '.' -> { // STOP
          if (stack.isEmpty()) throw error("STOP with an empty stack");
          return pop();
        }
        case '(' -> marks.add(stack.size()); // MARK
        case '0' -> pop(); // POP
        case '1' -> popMark(); // POP_MARK
        case '2' -> push(top()); // DUP
        case 'N' -> push(NONE);
        case 0x88 -> push(Boolean.TRUE); // NEWTRUE
        case 0x89 -> push(Boolean.FALSE); // NEWFALSE
        case 'J' -> push((long) (int) in.readLittleEndian(4)); // BININT: signed
        case 'K' -> push(in.readLittleEndian(1)); // BININT1
        case 'M' -> push(in.readLittleEndian(2)); // BININT2
        case 0x8a -> push(longOf(in.readBytes(in.readLittleEndian(1)))); // LONG1
        case 0x8b -> push(longOf(in.readBytes((int) in.readLittleEndian(4)))); // LONG4: signed length
        case 'G' -> push(ByteBuffer.wrap(in.readBytes(8)).getDouble()); // BINFLOAT: big-endian
        case 'X' -> push(utf8(in.readBytes(in.readLittleEndian(4)))); // BINUNICODE
        case 0x8c -> push(utf8(in.readBytes(in.readLittleEndian(1)))); // SHORT_BINUNICODE
        case 0x8d -> push(utf8(in.readBytes(in.readLittleEndian(8)))); // BINUNICODE8
        case 'U' -> push(latin1(in.readBytes(in.readLittleEndian(1)))); // SHORT_BINSTRING (Python 2 str)
        case 'T' -> push(latin1(in.readBytes((int) in.readLittleEndian(4)))); // BINSTRING: signed length
        case 'C' -> push(in.readBytes(in.readLittleEndian(1))); // SHORT_BINBYTES
        case 'B' -> push(in.readBytes(in.readLittleEndian(4))); // BINBYTES
        case 0x8e -> push(in.readBytes(in.readLittleEndian(8))); // BINBYTES8
        case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
        case 't' -> push(new Tuple(popMark())); // TUPLE
        case 0x85 -> push(new Tuple(popN(1))); // TUPLE1
        case 0x86 -> push(new Tuple(popN(2))); // TUPLE2
        case 0x87 -> push(new Tuple(popN(3))); // TUPLE3
        case ']' -> push(new ArrayList<>()); // EMPTY_LIST
        case 'l' -> push(new ArrayList<>(popMark())); // LIST
        case 'a' -> { // APPEND
          Object v = pop();
          list(top()).add(v);
        }
        case 'e' -> { // APPENDS
          List<Object> items = popMark();
          list(top()).addAll(items);
        }
        case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
        case 'd' -> { // DICT
          Map<Object, Object> d = new LinkedHashMap<>();
          putPairs(d, popMark());
          push(d);
        }
        case 's' -> { // SETITEM
          Object v = pop();
          Object k = pop();
          dict(top()).put(k, v);
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark();
          putPairs(dict(top()), items);
        }
        case 'c' -> { // GLOBAL
          String module = line();
          push(global(module, line()));
        }
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw error("STACK_GLOBAL needs two strings, found " + describe(module) + " and " + describe(name));
          }
          push(global(m, n));
        }
        case 'R' -> { // REDUCE
          Object args = pop();
          Object callable = pop();
          if (!(callable instanceof Global g)) throw error("REDUCE on " + describe(callable) + ", not a global");
          if (!(args instanceof Tuple t)) throw error("REDUCE of " + callable + " with " + describe(args));
          push(handler.reduce(g, t));
        }
        case 'b' -> { // BUILD
          Object state = pop();
          push(handler.build(pop(), state));
        }
        case 'Q' -> push(handler.persistentLoad(pop())); // BINPERSID
        case 'q' -> memo.put(in.readLittleEndian(1), top()); // BINPUT
        case 'r' -> memo.put(in.readLittleEndian(4), top()); // LONG_BINPUT
        case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
        case 'h' -> push(memoGet(in.readLittleEndian(1))); // BINGET
        case 'j' -> push(memoGet(in.readLittleEndian(4))); // LONG_BINGET
        default -> throw error(String.format("unsupported pickle opcode 0x%02x", op));
      }
    }
  }

  private Object global(String module, String name) {
    String qualified = module + "." + name;
    if (!allowedGlobals.contains(qualified)) {
      throw error("the pickle refers to the global '" + qualified + "', which a state dict never needs; refusing"
          + " to load it (torch would call it; " + (allowedGlobals.isEmpty() ? "no global belongs in this pickle"
          : "allowed: " + new TreeSet<>(allowedGlobals)) + ")");
    }
    return new Global(module, name);
  }

  /** One '\n'-terminated ASCII line of a GLOBAL opcode. */
  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = in.readUnsignedByte();
      if (b == '\n') return sb.toString();
      if (b < 0x20 || b > 0x7e || sb.length() >= MAX_GLOBAL_LINE) {
        throw error("GLOBAL names must be short printable ASCII lines");
      }
      sb.append((char) b);
    }
  }

  private Object memoGet(long index) {
    Object v = memo.get(index);
    if (v == null) throw error("memo entry " + index + " is read before it is written");
    return v;
  }

  private void push(Object v) {
    stack.add(v);
  }

  private Object pop() {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) throw error("stack underflow");
    return stack.remove(stack.size() - 1);
  }

  private Object top() {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) throw error("stack underflow");
    return stack.get(stack.size() - 1);
  }

  private List<Object> popN(int n) {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() - n < floor) throw error("stack underflow");
    List<Object> sub = stack.subList(stack.size() - n, stack.size());
    List<Object> items = new ArrayList<>(sub);
    sub.clear();
    return items;
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) throw error("no MARK to pop to");
    int at = marks.remove(marks.size() - 1);
    List<Object> sub = stack.subList(at, stack.size());
    List<Object> items = new ArrayList<>(sub);
    sub.clear();
    return items;
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object o) {
    if (o instanceof ArrayList<?> l) return (List<Object>) l;
    throw error("APPEND to " + describe(o) + ", not a list");
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> dict(Object o) {
    if (o instanceof LinkedHashMap<?, ?> m) return (Map<Object, Object>) m;
    throw error("SETITEM on " + describe(o) + ", not a dict");
  }

  private void putPairs(Map<Object, Object> d, List<Object> items) {
    if (items.size() % 2 != 0) throw error("odd number of items for a dict: " + items.size());
    for (int i = 0; i < items.size(); i += 2) d.put(items.get(i), items.get(i + 1));
  }

  private static Object longOf(byte[] littleEndian) {
    if (littleEndian.length == 0) return 0L;
    byte[] bigEndian = new byte[littleEndian.length];
    for (int i = 0; i < bigEndian.length; i++) bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
    BigInteger v = new BigInteger(bigEndian);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** A short description of a pickled value for messages. */
  static String describe(Object o) {
    if (o == null) return "nothing";
    if (o == NONE) return "None";
    if (o instanceof String s) return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
    if (o instanceof Long || o instanceof Boolean || o instanceof Double || o instanceof BigInteger) {
      return o.toString();
    }
    if (o instanceof Global g) return "global " + g.qualified();
    if (o instanceof Tuple t) return "tuple of " + t.size();
    if (o instanceof List<?> l) return "list of " + l.size();
    if (o instanceof Map<?, ?> m) return "dict of " + m.size();
    if (o instanceof byte[] b) return "bytes of " + b.length;
    return o.getClass().getSimpleName();
  }

  private CheckpointException error(String problem) {
    return CheckpointException.of(in.source(), problem + " (pickle opcode at byte " + opcodeAt + ")");
  }
}
