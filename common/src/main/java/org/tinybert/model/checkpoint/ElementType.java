package org.tinybert.model.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Element types of stored tensors, named as safetensors names them. Floating-point types convert to float32;
 * integer types are never weights (see {@link HfNames#isIntegerBuffer}).
 */
enum ElementType {
  F64(8, Kind.FLOAT), F32(4, Kind.FLOAT), F16(2, Kind.FLOAT), BF16(2, Kind.FLOAT),
  I64(8, Kind.INTEGER), I32(4, Kind.INTEGER), I16(2, Kind.INTEGER), I8(1, Kind.INTEGER),
  U64(8, Kind.INTEGER), U32(4, Kind.INTEGER), U16(2, Kind.INTEGER), U8(1, Kind.INTEGER), BOOL(1, Kind.INTEGER),
  F8_E4M3(1, Kind.UNSUPPORTED), F8_E5M2(1, Kind.UNSUPPORTED);

  enum Kind { FLOAT, INTEGER, UNSUPPORTED }

  /** Bytes read and converted per chunk: bounds the memory a tensor read needs beyond its float32 result. */
  static final int CHUNK_BYTES = 1 << 20;

  /** The largest element count a Java float[] (and so one tensor here) can hold. */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  final int size;
  final Kind kind;

  ElementType(int size, Kind kind) {
    this.size = size;
    this.kind = kind;
  }

  /** The type named {@code name}, or null when there is none. */
  static ElementType byName(String name) {
    for (ElementType t : values()) {
      if (t.name().equals(name)) return t;
    }
    return null;
  }

  /** Something that fills a buffer with the next bytes of one tensor. */
  @FunctionalInterface
  interface ByteSource {
    void readFully(byte[] buf, int len) throws IOException;
  }

  /** Reads {@code numel} little-endian elements of this type from {@code src}, chunk by chunk, as float32. */
  float[] readFloats(long numel, ByteSource src) throws IOException {
    if (kind != Kind.FLOAT) throw new IllegalStateException(this + " does not convert to float32");
    if (numel > MAX_ELEMENTS) throw new IllegalStateException(numel + " elements do not fit in one array");
    int n = (int) numel;
    float[] out = new float[n];
    if (n == 0) return out;
    byte[] buf = new byte[(int) Math.min(CHUNK_BYTES, (long) n * size)];
    int perChunk = buf.length / size;
    for (int done = 0; done < n; ) {
      int k = Math.min(n - done, perChunk);
      src.readFully(buf, k * size);
      decode(ByteBuffer.wrap(buf, 0, k * size).order(ByteOrder.LITTLE_ENDIAN), out, done, k);
      done += k;
    }
    return out;
  }

  private void decode(ByteBuffer in, float[] out, int at, int count) {
    switch (this) {
      case F32 -> in.asFloatBuffer().get(out, at, count);
      case F64 -> {
        for (int i = 0; i < count; i++) out[at + i] = (float) in.getDouble();
      }
      case F16 -> {
        for (int i = 0; i < count; i++) out[at + i] = halfToFloat(in.getShort());
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) out[at + i] = Float.intBitsToFloat((in.getShort() & 0xffff) << 16);
      }
      default -> throw new IllegalStateException(this + " does not convert to float32");
    }
  }

  /** IEEE 754 binary16 to binary32, exact for every value (Java 17 has no Float.float16ToFloat yet). */
  static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13)); // inf, nan
    if (exponent == 0) {
      float subnormal = mantissa * 0x1p-24f; // exact: at most 10 significant bits
      return sign != 0 ? -subnormal : subnormal;
    }
    return Float.intBitsToFloat(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
  }
}
