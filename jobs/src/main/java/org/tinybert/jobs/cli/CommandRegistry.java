package org.tinybert.jobs.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The commands {@code tinybert} knows, in the order --help lists them. */
public final class CommandRegistry {
  private final Map<String, Command> commands = new LinkedHashMap<>();

  public CommandRegistry register(Command command) {
    if (commands.putIfAbsent(command.name(), command) != null) {
      throw new IllegalArgumentException("command " + command.name() + " registered twice");
    }
    return this;
  }

  public Optional<Command> find(String name) {
    return Optional.ofNullable(commands.get(name));
  }

  public List<Command> commands() {
    return List.copyOf(commands.values());
  }

  public List<String> names() {
    return new ArrayList<>(commands.keySet());
  }
}
