
untyped = ["slice", "of", "strings"]
