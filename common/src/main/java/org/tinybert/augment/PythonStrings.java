package org.tinybert.augment;

/**
 * Python's {@code str.istitle()} and {@code str.title()}, which the reference applies to GloVe neighbours, with
 * Java's one-code-point case mappings (Python's {@code "ß".title()} is "Ss"; here it stays "ß").
 */
final class PythonStrings {
  private PythonStrings() {}

  private static boolean cased(int cp) {
    return Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
  }

  /** Upper/title-case characters only after uncased ones, lower-case only after cased ones, and at least one cased. */
  static boolean isTitle(String s) {
    boolean previousCased = false;
    boolean any = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
        if (previousCased) return false;
        previousCased = true;
        any = true;
      } else if (Character.isLowerCase(cp)) {
        if (!previousCased) return false;
        previousCased = true;
        any = true;
      } else {
        previousCased = false;
      }
    }
    return any;
  }

  /** Each cased character title case after an uncased one, lower case after a cased one. */
  static String title(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      b.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
      previousCased = cased(cp);
    }
    return b.toString();
  }
}
