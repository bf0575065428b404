package org.tinybert.infer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;

/** One JSON object per line: the kept columns, then {@code label}, {@code probabilities}, {@code score} or
 * {@code embedding}. */
final class JsonlPartWriter implements PartWriter {
  private final OutputSchema schema;
  private final JsonGenerator json;

  JsonlPartWriter(OutputSchema schema, Path file, Configuration conf) throws IOException {
    this.schema = schema;
    java.io.OutputStream stream = HadoopIO.fs(file, conf).create(file, false);
    json = new JsonFactory().createGenerator(stream, JsonEncoding.UTF8);
    json.setRootValueSeparator(null);
  }

  @Override
  public void write(InputRow row, float[] output) throws IOException {
    Columns c = schema.columns();
    json.writeStartObject();
    if (c.id() != null) {
      json.writeFieldName(c.id());
      Object id = PartWriter.plainId(row.id());
      if (id instanceof Integer i) json.writeNumber(i);
      else if (id instanceof Long l) json.writeNumber(l);
      else if (id instanceof Float f) json.writeNumber(f);
      else if (id instanceof Double d) json.writeNumber(d);
      else if (id instanceof Boolean b) json.writeBoolean(b);
      else json.writeString(String.valueOf(id));
    }
    json.writeStringField(c.text(), row.text());
    if (c.pair() != null) json.writeStringField(c.pair(), row.pair());
    switch (schema.written()) {
      case LABEL -> json.writeStringField(OutputSchema.LABEL, schema.label(output));
      case LABEL_AND_PROBABILITIES -> {
        json.writeStringField(OutputSchema.LABEL, schema.label(output));
        array(OutputSchema.PROBABILITIES, OutputSchema.probabilities(output));
      }
      case SCORE -> json.writeNumberField(OutputSchema.SCORE, output[0]);
      case EMBEDDING -> array(OutputSchema.EMBEDDING, output);
    }
    json.writeEndObject();
    json.writeRaw('\n');
  }

  private void array(String name, float[] v) throws IOException {
    json.writeFieldName(name);
    json.writeStartArray();
    for (float x : v) json.writeNumber(x);
    json.writeEndArray();
  }

  @Override
  public void close() throws IOException {
    json.close();
  }
}
