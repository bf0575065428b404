package org.tinybert.model.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A sequential reader that knows how many bytes are left, so that every length read from a file is checked against
 * the bytes that can still follow before anything is allocated for it. Running out is a {@link CheckpointException}
 * naming the file and the position.
 */
final class BoundedInput {
  private final InputStream in;
  private final long limit;
  private final Object source;
  private long position;

  /** {@code limit}: the number of bytes {@code in} holds from here on. */
  BoundedInput(InputStream in, long limit, Object source) {
    this.in = in;
    this.limit = limit;
    this.source = source;
  }

  long position() {
    return position;
  }

  long remaining() {
    return limit - position;
  }

  Object source() {
    return source;
  }

  int readUnsignedByte() throws IOException {
    if (remaining() < 1) throw truncated(1);
    int b = in.read();
    if (b < 0) throw truncated(1);
    position++;
    return b;
  }

  /** {@code n} bytes, refused before allocation if fewer than {@code n} remain. */
  byte[] readBytes(long n) throws IOException {
    if (n < 0 || n > remaining()) throw truncated(n);
    byte[] b = new byte[(int) n];
    readFully(b, (int) n);
    return b;
  }

  void readFully(byte[] buf, int len) throws IOException {
    if (len > remaining()) throw truncated(len);
    int got = in.readNBytes(buf, 0, len);
    position += got;
    if (got < len) throw truncated(len - got);
  }

  void skip(long n) throws IOException {
    if (n < 0 || n > remaining()) throw truncated(n);
    long left = n;
    while (left > 0) {
      long s = in.skip(left);
      if (s <= 0) {
        if (in.read() < 0) throw truncated(left);
        s = 1;
      }
      left -= s;
      position += s;
    }
  }

  /** Little-endian, {@code n} of 1, 2, 4 or 8 bytes, unsigned except for 8. */
  long readLittleEndian(int n) throws IOException {
    byte[] b = readBytes(n);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    return switch (n) {
      case 1 -> b[0] & 0xffL;
      case 2 -> bb.getShort() & 0xffffL;
      case 4 -> bb.getInt() & 0xffffffffL;
      case 8 -> bb.getLong();
      default -> throw new IllegalArgumentException("width " + n);
    };
  }

  CheckpointException truncated(long wanted) {
    return CheckpointException.of(source, "truncated: needs " + wanted + " more bytes at byte " + position
        + " but only " + Math.max(0, remaining()) + " remain");
  }
}
