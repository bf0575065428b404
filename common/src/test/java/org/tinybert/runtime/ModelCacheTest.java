package org.tinybert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.testing.TinyClassifiers;

class ModelCacheTest {
  static final Configuration CONF = new Configuration();

  @AfterEach
  void clear() {
    ModelCache.clear();
  }

  @Test
  void loadsOncePerPathAndAgainWhenTheDirectoryIsReplaced(@TempDir Path tmp) throws Exception {
    org.apache.hadoop.fs.Path dir = TinyClassifiers.saveStudent(tmp, 2);
    ModelCache.Entry a = ModelCache.get(dir, CONF);
    // The same directory by another spelling (no scheme) is the same entry.
    assertSame(a, ModelCache.get(new org.apache.hadoop.fs.Path(dir.toUri().getPath()), CONF));
    assertEquals(1, ModelCache.size());
    assertEquals(2, a.model().config().numLabels());
    assertEquals(512, a.vocab().size());

    // A re-saved model (a new best checkpoint under the same name) must not be served stale.
    TinyClassifiers.saveStudent(tmp, 2);
    FileSystem fs = dir.getFileSystem(CONF);
    org.apache.hadoop.fs.Path config = new org.apache.hadoop.fs.Path(dir, HfCheckpoint.CONFIG_FILE);
    fs.setTimes(config, a.stamp() + 1000, -1);
    ModelCache.Entry b = ModelCache.get(dir, CONF);
    assertNotSame(a, b);
    assertSame(b, ModelCache.get(dir, CONF));
  }

  @Test
  void aMissingModelIsNotCached(@TempDir Path tmp) {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(tmp.resolve("none").toUri());
    RuntimeException e = assertThrows(RuntimeException.class, () -> ModelCache.get(dir, CONF));
    assertTrue(e.getMessage().contains("no config.json"), e.getMessage());
    assertEquals(0, ModelCache.size());
  }
}
