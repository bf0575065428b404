package org.tinybert.corpus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hashes that are the same on every JVM, every run and every partitioning: what document seeds and instance ids are
 * derived from. {@code String.hashCode} is only 32 bits and {@code Object.hashCode} is not stable at all.
 */
public final class StableHash {
  private StableHash() {}

  /** The first 64 bits (big-endian) of the SHA-256 of {@code text} in UTF-8. */
  public static long of(String text) {
    return ByteBuffer.wrap(sha256(text.getBytes(StandardCharsets.UTF_8))).getLong();
  }

  /** SHA-256 of {@code bytes} as 64 lower-case hex digits. */
  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256(bytes));
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM lacks SHA-256, which every Java SE platform must provide", e);
    }
  }

  /**
   * Combines two 64-bit values into a well-mixed third one (order matters). Written here because the JDK has no
   * public 64-bit mixer; this is SplitMix64's finalizer (Steele, Lea, Flood 2014), applied twice.
   */
  public static long combine(long a, long b) {
    return mix64(mix64(a) ^ b);
  }

  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
