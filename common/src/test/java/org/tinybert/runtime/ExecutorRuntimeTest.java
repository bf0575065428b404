package org.tinybert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.model.BertModel;
import org.tinybert.model.EngineChoice;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.testing.TinyClassifiers;
import org.tinybert.text.TokenizerJson;
import org.tinybert.text.Vocab;

class ExecutorRuntimeTest {
  static final Configuration CONF = new Configuration();

  @AfterEach
  void clear() {
    ExecutorRuntime.clear();
  }

  @Test
  void loadsOncePerPathAndAgainWhenTheDirectoryIsReplaced(@TempDir Path tmp) throws Exception {
    org.apache.hadoop.fs.Path dir = TinyClassifiers.saveStudent(tmp, 2);
    ExecutorRuntime.Model a = ExecutorRuntime.model(dir, CONF);
    // The same directory by another spelling (no scheme, or as a layer configuration names it) is the same entry.
    assertSame(a, ExecutorRuntime.model(new org.apache.hadoop.fs.Path(dir.toUri().getPath()), CONF));
    assertSame(a, ExecutorRuntime.model(dir.toString()));
    assertEquals(1, ExecutorRuntime.size());
    assertEquals(2, a.model().config().numLabels());
    assertEquals(512, a.vocab().size());

    // A re-saved model (a new best checkpoint under the same name) must not be served stale.
    TinyClassifiers.saveStudent(tmp, 2);
    FileSystem fs = dir.getFileSystem(CONF);
    org.apache.hadoop.fs.Path config = new org.apache.hadoop.fs.Path(dir, HfCheckpoint.CONFIG_FILE);
    fs.setTimes(config, a.stamp() + 1000, -1);
    ExecutorRuntime.Model b = ExecutorRuntime.model(dir, CONF);
    assertNotSame(a, b);
    assertNotSame(a.frozen(), b.frozen());
    assertSame(b, ExecutorRuntime.model(dir, CONF));
  }

  @Test
  void makesTheFrozenViewOnceAndKeepsTheLoadedModel(@TempDir Path tmp) {
    ExecutorRuntime.Model m = ExecutorRuntime.model(TinyClassifiers.saveStudent(tmp, 3), CONF);
    BertModel frozen = m.frozen();
    assertSame(frozen, m.frozen());
    assertSame(frozen, ExecutorRuntime.model(m.dir(), CONF).frozen());
    assertNotSame(m.model(), frozen);
    assertSame(m.model().params(), frozen.params(), "one copy of the weights");
  }

  @Test
  void readsTheVocabularyOnlyWhenAsked(@TempDir Path tmp) throws Exception {
    org.apache.hadoop.fs.Path dir = TinyClassifiers.saveStudent(tmp, 2);
    // A teacher saved without a vocabulary still loads: only a caller that tokenizes needs one.
    Files.delete(Path.of(dir.toUri().getPath(), Vocab.FILE));
    Files.deleteIfExists(Path.of(dir.toUri().getPath(), TokenizerJson.FILE));
    ExecutorRuntime.Model m = ExecutorRuntime.model(dir.toString());
    assertEquals(2, m.frozen().config().numLabels());
    RuntimeException e = assertThrows(RuntimeException.class, m::vocab);
    assertTrue(e.getMessage().contains("has neither vocab.txt nor tokenizer.json"), e.getMessage());
  }

  @Test
  void aMissingModelIsNotCached(@TempDir Path tmp) {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(tmp.resolve("none").toUri());
    RuntimeException e = assertThrows(RuntimeException.class, () -> ExecutorRuntime.model(dir, CONF));
    assertTrue(e.getMessage().contains("no config.json"), e.getMessage());
    assertEquals(0, ExecutorRuntime.size());
  }

  @Test
  void servesARegisteredModelUnderItsKeyUntilRemoved() {
    BertModel random = TinyClassifiers.student(2).frozen();
    ExecutorRuntime.register("benchmark:test", random);
    try {
      ExecutorRuntime.Model m = ExecutorRuntime.model("benchmark:test");
      assertSame(random, m.model());
      assertSame(random, m.frozen(), "a frozen model is its own frozen view");
      assertNull(m.dir());
      assertEquals(0, ExecutorRuntime.size(), "a registered model is not loaded from anywhere");
    } finally {
      ExecutorRuntime.remove("benchmark:test");
    }
    assertThrows(RuntimeException.class, () -> ExecutorRuntime.model("benchmark:test"));
  }

  @Test
  void sharesDerivedValuesUntilForgotten() {
    AtomicInteger made = new AtomicInteger();
    String a = ExecutorRuntime.shared("broadcast-7/a", String.class, () -> "a" + made.incrementAndGet());
    assertSame(a, ExecutorRuntime.shared("broadcast-7/a", String.class, () -> "a" + made.incrementAndGet()));
    assertEquals(1, made.get());
    ExecutorRuntime.forgetShared("broadcast-7/");
    assertEquals("a2", ExecutorRuntime.shared("broadcast-7/a", String.class, () -> "a" + made.incrementAndGet()));
    ExecutorRuntime.forgetShared("broadcast-7/");
  }

  @Test
  void bindsNothingOutsideATaskAndResolvesTheEngine() {
    assertSame(EngineChoice.AUTO.resolve(), ExecutorRuntime.bind(EngineChoice.AUTO));
  }
}
