package org.tinybert.infer;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Parquet (Snappy) through Parquet's example object model: strings as UTF-8 binaries, lists as the three-level LIST
 * of floats that Spark, Hive and pyarrow read as {@code array<float>}, a Parquet id in the type the input had.
 */
final class ParquetPartWriter implements PartWriter {
  private final OutputSchema schema;
  private final SimpleGroupFactory groups;
  private final ParquetWriter<Group> writer;

  ParquetPartWriter(OutputSchema schema, Path file, Configuration conf) throws IOException {
    this.schema = schema;
    MessageType type = messageType(schema);
    groups = new SimpleGroupFactory(type);
    writer = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf)).withType(type).withConf(conf)
        .withCompressionCodec(CompressionCodecName.SNAPPY).withWriteMode(ParquetFileWriter.Mode.CREATE).build();
  }

  /** The parts' Parquet schema. */
  static MessageType messageType(OutputSchema schema) {
    Columns c = schema.columns();
    Types.MessageTypeBuilder b = Types.buildMessage();
    if (c.id() != null) {
      if (c.idParquetType() != null) {
        b.addField(MessageTypeParser.parseMessageType("message m { " + c.idParquetType() + "; }").getType(0));
      } else {
        b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c.id());
      }
    }
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c.text());
    if (c.pair() != null) b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c.pair());
    switch (schema.written()) {
      case LABEL -> b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
          .named(OutputSchema.LABEL);
      case LABEL_AND_PROBABILITIES -> {
        b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(OutputSchema.LABEL);
        b.addField(Types.optionalList().requiredElement(PrimitiveTypeName.FLOAT).named(OutputSchema.PROBABILITIES));
      }
      case SCORE -> b.optional(PrimitiveTypeName.FLOAT).named(OutputSchema.SCORE);
      case EMBEDDING -> b.addField(Types.optionalList().requiredElement(PrimitiveTypeName.FLOAT)
          .named(OutputSchema.EMBEDDING));
    }
    return b.named("infer");
  }

  @Override
  public void write(InputRow row, float[] output) throws IOException {
    Columns c = schema.columns();
    Group g = groups.newGroup();
    if (c.id() != null) {
      Object id = row.id();
      if (id instanceof Integer i) g.append(c.id(), i);
      else if (id instanceof Long l) g.append(c.id(), l);
      else if (id instanceof Float f) g.append(c.id(), f);
      else if (id instanceof Double d) g.append(c.id(), d);
      else if (id instanceof Boolean z) g.append(c.id(), z);
      else if (id instanceof Binary bin) g.append(c.id(), bin);
      else g.append(c.id(), String.valueOf(id));
    }
    g.append(c.text(), row.text());
    if (c.pair() != null) g.append(c.pair(), row.pair());
    switch (schema.written()) {
      case LABEL -> g.append(OutputSchema.LABEL, schema.label(output));
      case LABEL_AND_PROBABILITIES -> {
        g.append(OutputSchema.LABEL, schema.label(output));
        list(g, OutputSchema.PROBABILITIES, OutputSchema.probabilities(output));
      }
      case SCORE -> g.append(OutputSchema.SCORE, output[0]);
      case EMBEDDING -> list(g, OutputSchema.EMBEDDING, output);
    }
    writer.write(g);
  }

  private static void list(Group g, String name, float[] v) {
    Group list = g.addGroup(name);
    for (float x : v) list.addGroup("list").append("element", x);
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
