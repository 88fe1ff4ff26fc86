import sys

from cattle_cli.main import main

sys.exit(main())
