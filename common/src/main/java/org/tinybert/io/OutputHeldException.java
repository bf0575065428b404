package org.tinybert.io;

import java.time.Duration;
import java.time.Instant;
import org.apache.hadoop.fs.Path;

/**
 * A run found its output held by another run that is alive ({@link OutputHold}): it stops before changing anything.
 * The message names the holder and since when, on one line.
 */
public final class OutputHeldException extends InputException {
  private static final long serialVersionUID = 1L;

  private final transient OutputHold.Holder holder;

  public OutputHeldException(Path output, Path file, OutputHold.Holder holder, Duration staleAfter) {
    super(output + " is held by another run (" + holder.describe() + ", last heartbeat "
        + Duration.between(holder.heartbeat(), Instant.now()).toSeconds() + " s ago; hold file " + file
        + "): wait for it to end; a hold whose run is gone is taken over at once on its host, elsewhere once its"
        + " heartbeat is older than " + OutputHold.STALE_AFTER_KEY + " (" + staleAfter + ")");
    this.holder = holder;
  }

  public OutputHold.Holder holder() {
    return holder;
  }
}
