"""One module per `cattle` subcommand; each exposes ``run(argv) -> int``."""
