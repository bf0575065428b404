package org.tinybert.jobs;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.ForwardSettings;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;
import org.tinybert.model.BatchInput;
import org.tinybert.model.BertModel;
import org.tinybert.model.ForwardOutputs;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.SafeTensors;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.TokenizerJson;
import org.tinybert.text.Vocab;

/**
 * {@code tinybert forward}: runs a BERT model over a file of examples (one batch) and writes every output TinyBERT
 * distils as float32 safetensors, named as the golden fixtures name them ({@link ForwardOutputs}).
 */
public final class ForwardCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardCommand.class);

  @Override
  public String name() {
    return "forward";
  }

  @Override
  public String summary() {
    return "Runs a BERT model (a Hugging Face directory) over examples and writes its outputs.";
  }

  @Override
  public String settingsRoot() {
    return ForwardSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("model", "DIR", ForwardSettings.SECTION.key("model")),
        Option.setting("input", "PATH", ForwardSettings.SECTION.key("input")),
        Option.setting("output", "PATH", ForwardSettings.SECTION.key("output")),
        Option.setting("max-seq-length", "N", ForwardSettings.SECTION.key("max-seq-length")),
        Option.settingFlag("cased", ForwardSettings.CASED));
  }

  /** The validated settings of this command line. */
  public ForwardSettings settings(ParsedArgs args) {
    return ForwardSettings.from(args.settings());
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    ForwardSettings settings = settings(args);
    LOG.info("forward: {}", settings);
    LOG.info("engine: {}", settings.engine().describe());
    return execute(settings, args);
  }

  /** The forward pass itself. */
  int execute(ForwardSettings settings, ParsedArgs args) throws Exception {
    Configuration conf = HadoopIO.defaultConf();
    HfCheckpoint ck = HfCheckpoint.load(settings.model(), conf);
    BertModel model = new BertModel(ck.config(), ck.weights(), settings.engine().resolve());
    Vocab vocab = Vocab.inModel(settings.model(), conf) ? Vocab.ofModel(settings.model(), conf) : null;
    BatchInput input = BatchInput.read(settings.input(), conf, () -> tokenizer(vocab, settings.model(),
        TokenizerFiles.lowerCaseForCased(settings.cased(), ForwardSettings.CASED.full(), settings.model(), conf)),
        settings.maxSeqLength());
    input.checkFits(ck.config(), "model " + settings.model());

    BertModel.Forward f = model.forward(input.batch(), false, model.fitCount() > 0);
    // [MASK] is looked up in the model's own vocabulary: its id differs between vocabularies.
    if (model.hasMlmHead() && vocab == null) {
      LOG.warn("{} has a masked-LM head but no vocabulary ({} or {}): no mlm_logits without the id of [MASK]",
          settings.model(), Vocab.FILE, TokenizerJson.FILE);
    }
    int maskId = vocab == null ? -1 : vocab.maskId();
    Map<String, INDArray> outputs = ForwardOutputs.of(model, f, maskId);
    SafeTensors.write(outputs, settings.output(), conf);
    args.io().out().println("forward: " + input.batch().batchSize() + " examples x " + input.batch().seqLength()
        + " tokens (" + input.format().name().toLowerCase(java.util.Locale.ROOT) + ") through " + model + ": "
        + outputs.size() + " tensors written to " + settings.output());
    args.io().out().flush();
    return ExitCodes.OK;
  }

  /** The tokenizer of text input; a model directory without a vocabulary can take only JSON ids. */
  static BertTokenizer tokenizer(Vocab vocab, Path modelDir, boolean lowerCase) {
    if (vocab == null) {
      throw new InputException("text input needs the model's vocabulary, and " + modelDir + " has neither "
          + Vocab.FILE + " nor " + TokenizerJson.FILE + "; give token ids as JSON instead");
    }
    return new BertTokenizer(vocab, lowerCase);
  }
}
