package org.tinybert.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of a UTF-8 text file with their 1-based numbers, each decoded on its own.
 *
 * <p>Written by hand because a {@code BufferedReader} decodes ahead of the line it returns: its
 * {@code MalformedInputException} cannot say which line holds the bad bytes, and reading cannot go on past it. Here
 * lines are split as bytes first (UTF-8 never uses the bytes of CR and LF inside a character), so a bad line is
 * reported by number and the next one still reads. Line ends are those of Python's universal newlines, which the
 * reference processors read with: LF, CRLF and a lone CR. A byte-order mark opening the file is dropped (MRPC's files
 * as {@code download_glue_data.py} writes them begin with one).
 */
public final class Utf8LineReader implements Closeable {

  /**
   * One line without its terminator.
   *
   * @param text the decoded line, null when it is not valid UTF-8
   * @param encodingError what is wrong with the bytes, null when the line is valid
   */
  public record Line(long number, String text, String encodingError) {
    public boolean valid() {
      return encodingError == null;
    }
  }

  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int lim;
  private byte[] line = new byte[1024];
  private int len;
  private CharBuffer chars = CharBuffer.allocate(1024);
  private long number;
  /** Bytes of the input before {@code buf}'s content. */
  private long consumed;
  private final boolean dropByteOrderMark;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);

  public Utf8LineReader(InputStream in) {
    this(in, true);
  }

  /**
   * @param atFileStart whether {@code in} starts at the beginning of its file; a byte-order mark is dropped only
   *     there (a reader of a split that starts mid-file takes its first line as it is)
   */
  public Utf8LineReader(InputStream in, boolean atFileStart) {
    this.in = in;
    this.dropByteOrderMark = atFileStart;
  }

  /** Bytes of the input consumed by the lines returned so far, their terminators included. */
  public long position() {
    return consumed + pos;
  }

  /** The next line, or null at the end of the input. A final line terminator does not start another line. */
  public Line next() throws IOException {
    len = 0;
    boolean any = false;
    while (true) {
      if (pos == lim && !fill()) break;
      any = true;
      int start = pos;
      while (pos < lim && buf[pos] != '\n' && buf[pos] != '\r') pos++;
      append(start, pos - start);
      if (pos < lim) {
        byte end = buf[pos++];
        if (end == '\r') {
          if (pos == lim) fill();
          if (pos < lim && buf[pos] == '\n') pos++;
        }
        break;
      }
    }
    if (!any) return null;
    number++;
    return decode();
  }

  private boolean fill() throws IOException {
    consumed += lim;
    pos = 0;
    lim = 0;
    int n;
    do {
      n = in.read(buf, 0, buf.length);
    } while (n == 0);
    if (n < 0) return false;
    lim = n;
    return true;
  }

  private void append(int from, int n) {
    if (len + n > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, len + n));
    System.arraycopy(buf, from, line, len, n);
    len += n;
  }

  private Line decode() {
    int start = 0;
    boolean bom = len >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF;
    if (number == 1 && dropByteOrderMark && bom) {
      start = 3;
    }
    if (chars.capacity() < len) chars = CharBuffer.allocate(Math.max(chars.capacity() * 2, len));
    chars.clear();
    ByteBuffer bytes = ByteBuffer.wrap(line, start, len - start);
    decoder.reset();
    CoderResult r = decoder.decode(bytes, chars, true);
    if (!r.isError()) r = decoder.flush(chars);
    if (r.isError()) {
      int at = bytes.position();
      StringBuilder found = new StringBuilder();
      for (int i = 0; i < r.length() && at + i < len; i++) {
        found.append(i == 0 ? "" : " ").append(String.format("0x%02X", line[at + i] & 0xff));
      }
      return new Line(number, null, "invalid UTF-8 at byte " + (at + 1) + " of the line: expected a UTF-8 character, "
          + "found " + found);
    }
    chars.flip();
    return new Line(number, chars.toString(), null);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
