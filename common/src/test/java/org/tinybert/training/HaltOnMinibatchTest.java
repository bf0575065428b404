package org.tinybert.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** The cluster tests' executor halt: off unless asked for, its settings checked, never on a driver. */
class HaltOnMinibatchTest {
  static final MultiDataSetLoader LOADER = source -> null;

  @Test
  void withoutTheSettingTheLoaderIsUntouched() {
    assertSame(LOADER, HaltOnMinibatch.wrap(new SparkConf(false), LOADER));
  }

  @Test
  void badSettingsAreRefusedNamingTheKey() {
    for (String at : new String[] {"6", "1:x", "0:3", "1:0", "1:2:3"}) {
      SparkConf c = new SparkConf(false).set(HaltOnMinibatch.AT, at).set(HaltOnMinibatch.MARKER, "/tmp/m");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HaltOnMinibatch.wrap(c, LOADER));
      assertEquals(HaltOnMinibatch.AT + " must be EPOCH:MINIBATCH, both counted from 1, found '" + at + "'",
          e.getMessage());
    }
    SparkConf noMarker = new SparkConf(false).set(HaltOnMinibatch.AT, "1:6");
    assertThrows(IllegalArgumentException.class, () -> HaltOnMinibatch.wrap(noMarker, LOADER));
  }

  @Test
  void outsideAnExecutorTheChosenMinibatchLoadsNormally(@TempDir Path tmp) throws Exception {
    Path marker = tmp.resolve("halted");
    MultiDataSetLoader wrapped = HaltOnMinibatch.wrap(new SparkConf(false).set(HaltOnMinibatch.AT, "1:6")
        .set(HaltOnMinibatch.MARKER, marker.toUri().toString()), LOADER);
    Source sixth = new Source() {
      @Override
      public InputStream getInputStream() {
        return InputStream.nullInputStream();
      }

      @Override
      public String getPath() {
        return "hdfs://nn/run/data/epoch-0/batch-000000005.mds";
      }
    };
    MultiDataSet loaded = wrapped.load(sixth);
    assertEquals(null, loaded);
    assertFalse(marker.toFile().exists(), "a driver (or a JVM without Spark) never halts");
  }
}
