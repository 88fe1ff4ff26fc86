packer {
  required_version = ">= 700000.0.0"
}

block_from_the_future {
  the_answer_to_life_the_universe_and_everything = 42
}
