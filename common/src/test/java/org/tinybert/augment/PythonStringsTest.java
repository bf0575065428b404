package org.tinybert.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** str.istitle() and str.title() as Python 3 gives them (values checked with /usr/bin/python3). */
class PythonStringsTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      Paris     | true  | Paris
      paris     | false | Paris
      PARIS     | false | Paris
      McDonald  | false | Mcdonald
      o'neil    | false | O'Neil
      New York  | true  | New York
      new-york  | false | New-York
      3d        | false | 3D
      '         | false | '
      """)
  void titleCase(String s, boolean isTitle, String title) {
    assertEquals(isTitle, PythonStrings.isTitle(s));
    assertEquals(title, PythonStrings.title(s));
  }
}
