/**
 * The command line of {@code tinybert <command> [options]}: the {@link org.tinybert.jobs.cli.Command} interface, each
 * command's table of {@link org.tinybert.jobs.cli.Option}s, the parser that turns arguments into
 * {@link org.tinybert.jobs.cli.ParsedArgs} and the help generated from the same tables and from the comments in
 * {@code reference.conf}.
 *
 * <p>An option that stands for a settings key ({@code --max-seq-length} for {@code tinybert.forward.max-seq-length})
 * becomes one more override on top of {@code --config} and {@code --set}, so every way of giving a value goes through
 * the same validation and error messages.
 */
package org.tinybert.jobs.cli;
