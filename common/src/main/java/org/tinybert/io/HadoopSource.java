package org.tinybert.io;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.nd4j.common.loader.Source;

/** A file on its Hadoop file system as ND4J's loaders read one (what training's workers hand a minibatch loader). */
public record HadoopSource(String path, Configuration conf) implements Source {
  @Override
  public InputStream getInputStream() throws IOException {
    return HadoopIO.open(new Path(path), conf);
  }

  @Override
  public String getPath() {
    return path;
  }
}
