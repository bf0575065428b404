package org.tinybert.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The test session: its defaults, what a class adds, and a session left running refused rather than reused. */
class LocalSparkTest {
  @Test
  void defaultsAndAddedSettings() {
    SparkSession spark = LocalSpark.builder().conf("spark.sql.shuffle.partitions", 4).conf("spark.tinybert.x", "y")
        .taskAttempts(3).start("LocalSparkTest");
    try {
      SparkConf c = spark.sparkContext().getConf();
      assertEquals("local[2,3]", spark.sparkContext().master());
      assertEquals("LocalSparkTest", spark.sparkContext().appName());
      assertEquals("false", c.get("spark.ui.enabled"));
      assertEquals("4", spark.conf().get("spark.sql.shuffle.partitions"), "a class's value replaces the default");
      assertEquals("y", c.get("spark.tinybert.x"));
    } finally {
      LocalSpark.stop(spark);
    }
    spark = LocalSpark.start("LocalSparkTest");
    try {
      assertEquals("local[2]", spark.sparkContext().master());
      assertEquals("2", spark.conf().get("spark.sql.shuffle.partitions"));
      assertTrue(spark.sparkContext().getConf().getOption("spark.tinybert.x").isEmpty(), "nothing of the last one");
    } finally {
      LocalSpark.stop(spark);
    }
  }

  @Test
  void aSessionLeftRunningIsNamedNotReused() {
    SparkSession left = LocalSpark.start("LeftRunning");
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> LocalSpark.builder().conf("spark.sql.shuffle.partitions", 4).start("Next"));
      assertTrue(e.getMessage().contains("LeftRunning"), e.getMessage());
    } finally {
      LocalSpark.stop(left);
    }
    assertTrue(SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty(),
        "stop forgets the session");
  }
}
