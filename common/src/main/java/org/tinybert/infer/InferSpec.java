package org.tinybert.infer;

import java.io.Serializable;
import org.tinybert.config.OutputFormat;
import org.tinybert.model.ClassifierHead;
import org.tinybert.model.EngineChoice;
import org.tinybert.scoring.Scorer;

/**
 * What the executors need to score units: where the model is (never its weights), how to encode and batch, what to
 * read from the model and write, and where parts are committed.
 *
 * @param model the qualified model directory
 * @param lowerCase uncased tokenization
 * @param maxSeqLength tokens per example at most
 * @param staging the directory parts are committed to ({@link InferOutput})
 * @param runId the run that scores, recorded with each part
 * @param engine {@code tinybert.engine}, resolved on each executor
 */
record InferSpec(String model, boolean lowerCase, int maxSeqLength, int batchSize, Scorer.Reads reads,
    ClassifierHead head, OutputSchema schema, OutputFormat outputFormat, boolean skipBadRows, String staging,
    String runId, EngineChoice engine) implements Serializable {}
