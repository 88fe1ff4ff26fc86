"""What each provisioner option does, one sentence each, in cattle's words."""

SHARED = {}
BY_TYPE = {}
