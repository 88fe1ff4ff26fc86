"""What each post-processor option does, one sentence each, in cattle's words."""

SHARED = {}
BY_TYPE = {}
