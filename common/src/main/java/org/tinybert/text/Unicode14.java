package org.tinybert.text;

/**
 * Character properties as Unicode 14.0 defines them: the tables of Python 3.11, which produced the reference
 * tokenizer's output. Java 17 ships Unicode 13.0, so this class overlays the difference on {@link Character}: the
 * 838 characters assigned in 14.0 (which Java 17 calls unassigned, so the tokenizer would drop them as "control"
 * characters) and U+1734, which 14.0 moved from Mn to Mc. The table below is data, derived once by comparing
 * Java 17's {@code Character.getType}/{@code toLowerCase} with Python 3.11's {@code unicodedata} for every code
 * point; it holds general categories and simple lower-case offsets. Decompositions did not change; the canonical
 * combining classes of 14.0's new marks are not modelled, which only matters for the order of marks the uncased
 * path keeps (the lower-casing path drops them). A JVM with newer tables still gets 14.0 answers for these
 * characters; characters assigned after 14.0 follow that JVM.
 */
public final class Unicode14 {
  private Unicode14() {}

  private static final int CF = Character.FORMAT;
  private static final int LU = Character.UPPERCASE_LETTER;
  private static final int LL = Character.LOWERCASE_LETTER;
  private static final int LM = Character.MODIFIER_LETTER;
  private static final int LO = Character.OTHER_LETTER;
  private static final int MN = Character.NON_SPACING_MARK;
  private static final int MC = Character.COMBINING_SPACING_MARK;
  private static final int ND = Character.DECIMAL_DIGIT_NUMBER;
  private static final int PD = Character.DASH_PUNCTUATION;
  private static final int PS = Character.START_PUNCTUATION;
  private static final int PE = Character.END_PUNCTUATION;
  private static final int PO = Character.OTHER_PUNCTUATION;
  private static final int SC = Character.CURRENCY_SYMBOL;
  private static final int SK = Character.MODIFIER_SYMBOL;
  private static final int SO = Character.OTHER_SYMBOL;

  /** Rows of (first, last, general category, lower-case offset), sorted and disjoint. */
  private static final int[] CHANGED = {
      0x061D, 0x061D, PO, 0,
      0x0870, 0x0887, LO, 0,
      0x0888, 0x0888, SK, 0,
      0x0889, 0x088E, LO, 0,
      0x0890, 0x0891, CF, 0,
      0x0898, 0x089F, MN, 0,
      0x08B5, 0x08B5, LO, 0,
      0x08C8, 0x08C8, LO, 0,
      0x08C9, 0x08C9, LM, 0,
      0x08CA, 0x08D2, MN, 0,
      0x0C3C, 0x0C3C, MN, 0,
      0x0C5D, 0x0C5D, LO, 0,
      0x0CDD, 0x0CDD, LO, 0,
      0x170D, 0x170D, LO, 0,
      0x1715, 0x1715, MC, 0,
      0x171F, 0x171F, LO, 0,
      0x1734, 0x1734, MC, 0,
      0x180F, 0x180F, MN, 0,
      0x1AC1, 0x1ACE, MN, 0,
      0x1B4C, 0x1B4C, LO, 0,
      0x1B7D, 0x1B7E, PO, 0,
      0x1DFA, 0x1DFA, MN, 0,
      0x20C0, 0x20C0, SC, 0,
      0x2C2F, 0x2C2F, LU, 48,
      0x2C5F, 0x2C5F, LL, 0,
      0x2E53, 0x2E54, PO, 0,
      0x2E55, 0x2E55, PS, 0,
      0x2E56, 0x2E56, PE, 0,
      0x2E57, 0x2E57, PS, 0,
      0x2E58, 0x2E58, PE, 0,
      0x2E59, 0x2E59, PS, 0,
      0x2E5A, 0x2E5A, PE, 0,
      0x2E5B, 0x2E5B, PS, 0,
      0x2E5C, 0x2E5C, PE, 0,
      0x2E5D, 0x2E5D, PD, 0,
      0x9FFD, 0x9FFF, LO, 0,
      0xA7C0, 0xA7C0, LU, 1,
      0xA7C1, 0xA7C1, LL, 0,
      0xA7D0, 0xA7D0, LU, 1,
      0xA7D1, 0xA7D1, LL, 0,
      0xA7D3, 0xA7D3, LL, 0,
      0xA7D5, 0xA7D5, LL, 0,
      0xA7D6, 0xA7D6, LU, 1,
      0xA7D7, 0xA7D7, LL, 0,
      0xA7D8, 0xA7D8, LU, 1,
      0xA7D9, 0xA7D9, LL, 0,
      0xA7F2, 0xA7F4, LM, 0,
      0xFBC2, 0xFBC2, SK, 0,
      0xFD40, 0xFD4F, SO, 0,
      0xFDCF, 0xFDCF, SO, 0,
      0xFDFE, 0xFDFF, SO, 0,
      0x10570, 0x1057A, LU, 39,
      0x1057C, 0x1058A, LU, 39,
      0x1058C, 0x10592, LU, 39,
      0x10594, 0x10595, LU, 39,
      0x10597, 0x105A1, LL, 0,
      0x105A3, 0x105B1, LL, 0,
      0x105B3, 0x105B9, LL, 0,
      0x105BB, 0x105BC, LL, 0,
      0x10780, 0x10785, LM, 0,
      0x10787, 0x107B0, LM, 0,
      0x107B2, 0x107BA, LM, 0,
      0x10F70, 0x10F81, LO, 0,
      0x10F82, 0x10F85, MN, 0,
      0x10F86, 0x10F89, PO, 0,
      0x11070, 0x11070, MN, 0,
      0x11071, 0x11072, LO, 0,
      0x11073, 0x11074, MN, 0,
      0x11075, 0x11075, LO, 0,
      0x110C2, 0x110C2, MN, 0,
      0x116B9, 0x116B9, PO, 0,
      0x11740, 0x11746, LO, 0,
      0x11AB0, 0x11ABF, LO, 0,
      0x12F90, 0x12FF0, LO, 0,
      0x12FF1, 0x12FF2, PO, 0,
      0x16A70, 0x16ABE, LO, 0,
      0x16AC0, 0x16AC9, ND, 0,
      0x1AFF0, 0x1AFF3, LM, 0,
      0x1AFF5, 0x1AFFB, LM, 0,
      0x1AFFD, 0x1AFFE, LM, 0,
      0x1B11F, 0x1B122, LO, 0,
      0x1CF00, 0x1CF2D, MN, 0,
      0x1CF30, 0x1CF46, MN, 0,
      0x1CF50, 0x1CFC3, SO, 0,
      0x1D1E9, 0x1D1EA, SO, 0,
      0x1DF00, 0x1DF09, LL, 0,
      0x1DF0A, 0x1DF0A, LO, 0,
      0x1DF0B, 0x1DF1E, LL, 0,
      0x1E290, 0x1E2AD, LO, 0,
      0x1E2AE, 0x1E2AE, MN, 0,
      0x1E7E0, 0x1E7E6, LO, 0,
      0x1E7E8, 0x1E7EB, LO, 0,
      0x1E7ED, 0x1E7EE, LO, 0,
      0x1E7F0, 0x1E7FE, LO, 0,
      0x1F6DD, 0x1F6DF, SO, 0,
      0x1F7F0, 0x1F7F0, SO, 0,
      0x1F979, 0x1F979, SO, 0,
      0x1F9CC, 0x1F9CC, SO, 0,
      0x1FA7B, 0x1FA7C, SO, 0,
      0x1FAA9, 0x1FAAC, SO, 0,
      0x1FAB7, 0x1FABA, SO, 0,
      0x1FAC3, 0x1FAC5, SO, 0,
      0x1FAD7, 0x1FAD9, SO, 0,
      0x1FAE0, 0x1FAE7, SO, 0,
      0x1FAF0, 0x1FAF6, SO, 0,
      0x2A6DE, 0x2A6DF, LO, 0,
      0x2B735, 0x2B738, LO, 0,
  };
  private static final int ROW = 4;

  /** Unicode 14.0 characters with Other_Lowercase (so "cased") whose category is Lm: Latin Extended-F. */
  private static final int[] OTHER_LOWERCASE = {0x10780, 0x10780, 0x10783, 0x10785, 0x10787, 0x107B0, 0x107B2, 0x107BA};

  /** Row index in {@link #CHANGED}, or -1. */
  private static int row(int cp) {
    if (cp < CHANGED[0]) return -1;
    int lo = 0;
    int hi = CHANGED.length / ROW - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (cp < CHANGED[mid * ROW]) hi = mid - 1;
      else if (cp > CHANGED[mid * ROW + 1]) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** General category as a {@link Character} type constant. */
  static int type(int cp) {
    int r = row(cp);
    return r < 0 ? Character.getType(cp) : CHANGED[r * ROW + 2];
  }

  /** Simple lower-case mapping (the full mapping differs only for U+0130 and the final sigma). */
  static int toLowerCase(int cp) {
    int r = row(cp);
    return r < 0 ? Character.toLowerCase(cp) : cp + CHANGED[r * ROW + 3];
  }

  /** Unicode's Cased property: Lowercase, Uppercase or titlecase letter. */
  static boolean isCased(int cp) {
    int r = row(cp);
    if (r < 0) return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    int t = CHANGED[r * ROW + 2];
    if (t == LU || t == LL) return true;
    for (int i = 0; i < OTHER_LOWERCASE.length; i += 2) {
      if (cp >= OTHER_LOWERCASE[i] && cp <= OTHER_LOWERCASE[i + 1]) return true;
    }
    return false;
  }

  /**
   * Unicode's Case_Ignorable property: categories Mn, Me, Cf, Lm, Sk, plus Word_Break MidLetter, MidNumLet and
   * Single_Quote (the apostrophes, periods and colons that may sit inside a word); Java has no API for it.
   */
  static boolean isCaseIgnorable(int cp) {
    switch (type(cp)) {
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.FORMAT:
      case Character.MODIFIER_LETTER:
      case Character.MODIFIER_SYMBOL:
        return true;
      default:
        break;
    }
    switch (cp) {
      case 0x0027: case 0x002E: case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4:
      case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52: case 0xFE55:
      case 0xFF07: case 0xFF0E: case 0xFF1A:
        return true;
      default:
        return false;
    }
  }

  /**
   * Python's {@code str.isspace}, which the reference's {@code split()} and {@code strip()} use: categories Zs, Zl,
   * Zp and the controls with a white-space bidi class (tab to carriage return, U+001C to U+001F, U+0085).
   */
  public static boolean isPythonSpace(int cp) {
    if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
    if (cp == 0x85) return true;
    int t = type(cp);
    return t == Character.SPACE_SEPARATOR || t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR;
  }
}
