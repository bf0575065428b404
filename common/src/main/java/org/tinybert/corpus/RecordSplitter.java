package org.tinybert.corpus;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.tinybert.text.Unicode14;

/**
 * Cuts one text record (what {@code TextInputFormat} returns between two {@code "\n\n"} delimiters) into documents,
 * reading lines as TinyBERT's script does: Python's universal newlines (LF, CRLF, a lone CR), each line
 * {@code strip()}ped, a line that is then empty ending the document. A record always ends at a document break (its
 * delimiter is an empty line), so documents never span records.
 *
 * <p>Lines are split as bytes before decoding (UTF-8 never uses the bytes of CR and LF inside a character) so that an
 * invalid line is reported by its byte offset and, when skipping is on, the rest of the record still reads. One
 * instance per task: it holds a decoder.
 */
final class RecordSplitter {
  private final boolean skipInvalidUtf8;
  private final LongConsumer skipped;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private CharBuffer chars = CharBuffer.allocate(1024);

  /**
   * @param skipInvalidUtf8 drop (and count) a line that is not valid UTF-8 instead of failing
   * @param skipped told once per dropped line
   */
  RecordSplitter(boolean skipInvalidUtf8, LongConsumer skipped) {
    this.skipInvalidUtf8 = skipInvalidUtf8;
    this.skipped = skipped;
  }

  /**
   * The documents of {@code bytes[0, length)}.
   *
   * @param source the file, for messages and {@link Document#source()}
   * @param offset where the record starts in the file; at 0 a UTF-8 byte-order mark is dropped
   */
  List<Document> split(byte[] bytes, int length, String source, long offset) {
    List<Document> out = new ArrayList<>();
    List<String> sentences = new ArrayList<>();
    int pos = 0;
    if (offset == 0 && length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF) {
      pos = 3;
    }
    while (pos < length) {
      int end = pos;
      while (end < length && bytes[end] != '\n' && bytes[end] != '\r') end++;
      String line = decode(bytes, pos, end, source, offset);
      if (line != null) {
        String s = strip(line);
        if (!s.isEmpty()) {
          sentences.add(s);
        } else if (!sentences.isEmpty()) {
          out.add(new Document(source, offset, sentences));
          sentences.clear();
        }
      }
      pos = end;
      if (pos < length) pos += bytes[pos] == '\r' && pos + 1 < length && bytes[pos + 1] == '\n' ? 2 : 1;
    }
    if (!sentences.isEmpty()) out.add(new Document(source, offset, sentences));
    return out;
  }

  private String decode(byte[] bytes, int from, int to, String source, long offset) {
    if (chars.capacity() < to - from) chars = CharBuffer.allocate(Math.max(2 * chars.capacity(), to - from));
    chars.clear();
    ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
    decoder.reset();
    CoderResult r = decoder.decode(in, chars, true);
    if (!r.isError()) r = decoder.flush(chars);
    if (r.isError()) {
      if (skipInvalidUtf8) {
        skipped.accept(1);
        return null;
      }
      int at = in.position();
      StringBuilder found = new StringBuilder();
      for (int i = 0; i < r.length() && at + i < to; i++) {
        found.append(i == 0 ? "" : " ").append(String.format("0x%02X", bytes[at + i] & 0xFF));
      }
      throw new CorpusException(source + ": invalid UTF-8 at byte offset " + (offset + at) + " (line starting at "
          + "byte offset " + (offset + from) + "): expected a UTF-8 character, found " + found
          + "; fix the file or turn on skipping invalid UTF-8 lines");
    }
    return chars.flip().toString();
  }

  /** Python's {@code str.strip()}, which TinyBERT applies to every corpus line. */
  static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && Unicode14.isPythonSpace(s.charAt(start))) start++;
    while (end > start && Unicode14.isPythonSpace(s.charAt(end - 1))) end--;
    return s.substring(start, end);
  }
}
